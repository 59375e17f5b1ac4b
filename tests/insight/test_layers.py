"""The layer explorer on real builds: whiteouts, opaque directories, wasted bytes and the union filesystem."""
import io
import tarfile

import pytest

from engine.inspect import ChunkReader
from insight.layers import DockerfileStep, explore
from insight.store import saved_image

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

BIG = 300_000
DOCKERFILE = f"""FROM layerlab/busybox
RUN mkdir -p /data/keep /data/opq && head -c {BIG} /dev/zero >/data/big && echo a >/data/opq/x && echo b >/data/keep/b
RUN rm /data/big
RUN rm -rf /data/opq && mkdir /data/opq && echo z > /data/opq/z
RUN echo bb > /data/keep/b
ENV GREETING=hi
CMD ["sh"]
"""
STEPS = [DockerfileStep(line, number)
         for number, line in enumerate(DOCKERFILE.splitlines(), start=1) if not line.startswith("FROM")]


@pytest.fixture
def explored(engine, settings, tmp_path):
    settings.STATE_DIR = tmp_path
    result = engine.build_ok(DOCKERFILE)
    saved = saved_image(engine.engine, result.image)
    return result.image, explore(saved, STEPS), saved


def test_each_layer_names_its_instruction_and_line(explored):
    _, exploration, _ = explored
    mine = [layer for layer in exploration.layers if not layer.from_base]
    assert [(layer.instruction.split(" ")[0], layer.line) for layer in mine] == [
        ("RUN", 2), ("RUN", 3), ("RUN", 4), ("RUN", 5), ("ENV", 6), ("CMD", 7)]
    assert [layer.metadata_only for layer in mine] == [False, False, False, False, True, True]


def test_a_whiteout_is_a_deletion_and_the_deleted_bytes_are_wasted(explored):
    _, exploration, _ = explored
    layers = [layer for layer in exploration.layers if not layer.from_base]
    assert "data/big" in layers[0].added
    assert layers[1].deleted == ["data/big"]
    assert "data/big" not in exploration.union
    big = [waste for waste in exploration.waste if waste.path == "data/big"]
    assert [(waste.size, waste.how) for waste in big] == [(BIG, "deleted")]


def test_a_recreated_directory_is_opaque_and_hides_what_was_below(explored):
    _, exploration, saved = explored
    layer = [layer for layer in exploration.layers if not layer.from_base][2]
    assert layer.deleted == ["data/opq"]
    recorded = {(entry.path, entry.kind) for entry in saved.layers[-2].entries if entry.deletes}
    assert recorded == {("data/opq", "opaque")}  # data/opq/.wh..wh..opq, not a whiteout of the directory
    assert "data/opq/x" not in exploration.union
    assert exploration.union["data/opq/z"].layer == exploration.layers.index(layer)


def test_an_overwritten_file_is_modified_and_its_lower_version_hidden(explored):
    _, exploration, _ = explored
    layer = [layer for layer in exploration.layers if not layer.from_base][3]
    assert layer.modified == ["data/keep/b"]
    entry = exploration.union["data/keep/b"]
    assert entry.size == 3 and [size for _, size in entry.hides] == [2]


def test_the_wasted_bytes_are_what_the_tarballs_hold_beyond_the_final_filesystem(engine, explored):
    image, exploration, _ = explored
    shipped = sum(_file_bytes(layer) for layer in _saved_layers(engine, image))
    container = engine.api.create_container(image, labels={"org.layerlab.sandbox.role": "attempt"})["Id"]
    try:
        final = _file_bytes(io.BytesIO(b"".join(engine.api.export(container))))
    finally:
        engine.api.remove_container(container, force=True)
    assert exploration.wasted_bytes == shipped - final
    assert exploration.wasted_bytes >= BIG
    assert 0 < exploration.efficiency < 1


def _saved_layers(engine, image):
    stream = io.BufferedReader(ChunkReader(engine.api.get_image(image)), buffer_size=1 << 20)
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if member.name.endswith("/layer.tar"):
                yield io.BytesIO(archive.extractfile(member).read())


def _file_bytes(tar: io.BytesIO) -> int:
    with tarfile.open(fileobj=tar) as archive:
        return sum(member.size for member in archive if member.isfile())


def test_a_second_exploration_reads_the_store_not_the_engine(engine, explored, monkeypatch):
    image, exploration, _ = explored
    monkeypatch.setattr(engine.engine, "index_layers", lambda image: pytest.fail("read the engine again"))
    assert explore(saved_image(engine.engine, image), STEPS).wasted_bytes == exploration.wasted_bytes
