"""ImageFacts: what grading reads from an image, gathered without running it."""
import pytest

pytestmark = pytest.mark.engine

DOCKERFILE = """FROM layerlab/busybox
WORKDIR /srv
ENV GREETING=hello MODE="two words"
COPY app.sh .
RUN dd if=/dev/zero of=/srv/blob bs=1K count=300 2>/dev/null
LABEL maintainer="learner@example.org"
EXPOSE 8080/tcp
USER 1000
ENTRYPOINT ["./app.sh"]
CMD ["--verbose"]
"""


@pytest.fixture
def facts(engine):
    result = engine.build_ok(DOCKERFILE, executable={"app.sh"}, **{"app.sh": b"#!/bin/sh\necho $@\n"})
    return engine.inspect(result.image)


def test_it_reads_the_image_config(facts):
    assert facts.entrypoint == ["./app.sh"]
    assert facts.cmd == ["--verbose"]
    assert facts.working_dir == "/srv"
    assert facts.user == "1000"
    assert facts.exposed_ports == ("8080/tcp",)
    assert facts.env["GREETING"] == "hello"
    assert facts.env["MODE"] == "two words"


def test_it_shows_the_learners_labels_but_not_the_sandboxs(facts):
    assert facts.labels == {"maintainer": "learner@example.org"}


def test_history_is_oldest_first_and_ends_with_the_learners_instructions(facts):
    created_by = [entry.created_by for entry in facts.history]
    assert "ENTRYPOINT" in created_by[-3] and "CMD" in created_by[-2]  # the last entry is the sandbox's LABEL


def test_layers_carry_their_sizes_and_add_up_to_the_image(facts):
    sizes = [layer.size for layer in facts.layers]
    blob = next(layer for layer in facts.layers if "dd if=/dev/zero" in layer.created_by)
    assert blob.size >= 300 * 1024
    assert sum(sizes) == facts.size
    assert facts.layers[0].diff_id.startswith("sha256:")


def test_only_filesystem_changes_make_layers(facts):
    # busybox's root, WORKDIR's directory, COPY, RUN: the metadata instructions add none.
    assert len(facts.layers) == 4
