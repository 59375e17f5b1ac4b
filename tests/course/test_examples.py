"""Recorded lesson outputs come from running examples on the real engine."""
import pytest

from course.examples import Example, ExampleError, human_size, record_example
from course.highlight import stylesheet

SCRIPT = '#!/bin/sh\ntrap "echo bye; exit 0" TERM\necho "Hello, ${1:-world}!"\nwhile :; do sleep 0.1; done\n'


@pytest.fixture
def example(tmp_path):
    folder = tmp_path / "greeting"
    folder.mkdir()
    (folder / "Dockerfile").write_text(
        'FROM layerlab/busybox\nWORKDIR /srv\nCOPY greet.sh /greet.sh\nENTRYPOINT ["/greet.sh"]\n'
    )
    (folder / "greet.sh").write_text(SCRIPT)
    (folder / "greet.sh").chmod(0o755)  # as git checks out a file it keeps as 100755
    (folder / "example.yaml").write_text(
        "bases: [layerlab/busybox]\nsteps:\n  - build\n  - history\n  - size\n  - run: [Alice]\n  - stop: []\n"
        "  - rebuild:\n      greet.sh: |\n        #!/bin/sh\n        echo changed\n  - run: []\n"
    )
    return Example.load(folder)


@pytest.mark.engine
def test_an_example_is_recorded_as_a_console_transcript(real_engine, example):
    transcript = record_example(real_engine, example)
    assert "$ docker build -t greeting ." in transcript
    assert "Step 3/4 : COPY greet.sh /greet.sh" in transcript
    assert "$ docker history greeting" in transcript
    assert "$ docker run --rm greeting Alice\nHello, Alice!" in transcript
    assert "exited on SIGTERM" in transcript and "bye" in transcript
    assert "Step 2/4 : WORKDIR /srv\n ---> Using cache\nStep 3/4" in transcript
    assert transcript.rstrip().endswith("changed")
    assert "org.layerlab" not in transcript
    assert not real_engine.api.images(filters={"reference": "layerlab-attempt:example-greeting*"})


def test_a_step_before_any_build_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "example.yaml").write_text("bases: [layerlab/busybox]\nsteps: [dance]\n")
    with pytest.raises(ExampleError) as raised:
        Example.load(tmp_path)
    assert "example.yaml" in str(raised.value) and "unknown step 'dance'" in str(raised.value)


@pytest.mark.parametrize(("size", "shown"), [(0, "0B"), (94, "94B"), (102400, "102kB"), (20971520, "21MB"),
                                             (1990000, "1.99MB"), (574000000, "574MB")])
def test_sizes_read_like_docker_history(size, shown):
    assert human_size(size) == shown


def test_the_committed_highlight_stylesheet_is_current(settings):
    assert (settings.BASE_DIR / "static" / "highlight.css").read_text() == stylesheet()
