"""The server makes the build context: regular files only, fixed metadata, .dockerignore applied."""
import tarfile

import pytest

from engine.engine import CONTEXT_MTIME, attempt_tag, build_context, labelled


def members(files: dict[str, bytes], executable=()) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=build_context(files, executable)) as tar:
        return {member.name: member for member in tar.getmembers()}


def test_files_are_regular_files_with_fixed_owner_and_time():
    found = members({"Dockerfile": b"FROM scratch\n", "app/main.py": b"print(1)\n"})
    assert set(found) == {"Dockerfile", "app/main.py"}
    for member in found.values():
        assert member.isfile() and member.uid == 0 and member.gid == 0 and member.mtime == CONTEXT_MTIME


def test_files_marked_executable_get_0755_and_every_other_file_0644():
    files = {"Dockerfile": b"FROM scratch\n", "run.sh": b"echo\n", "data.txt": b"x", "bin/tool": b"x"}
    found = members(files, executable={"run.sh", "bin/tool"})
    assert {name: member.mode for name, member in found.items()} == {
        "Dockerfile": 0o644, "run.sh": 0o755, "data.txt": 0o644, "bin/tool": 0o755}


def test_a_script_is_not_made_executable_for_starting_with_a_shebang():
    found = members({"Dockerfile": b"FROM scratch\n", "run.sh": b"#!/bin/sh\necho hi\n"})
    assert found["run.sh"].mode == 0o644


def test_dockerignore_leaves_files_out_but_never_the_dockerfile():
    found = members({
        "Dockerfile": b"FROM scratch\n",
        ".dockerignore": b"# comment\n*.log\nsecrets/\nDockerfile\n!keep.log\n",
        "debug.log": b"x", "keep.log": b"x", "secrets/key": b"x", "main.py": b"x",
    })
    assert set(found) == {"Dockerfile", ".dockerignore", "keep.log", "main.py"}


def test_the_same_files_make_the_same_tar():
    files = {"Dockerfile": b"FROM scratch\n", "b": b"2", "a": b"1"}
    assert build_context(files).getvalue() == build_context(dict(reversed(files.items()))).getvalue()


def test_the_bookkeeping_label_is_one_appended_instruction():
    files = labelled({"Dockerfile": b"FROM scratch\nCMD [\"x\"]\n\n\n"}, "layerlab-attempt:a1")
    lines = files["Dockerfile"].decode().splitlines()
    assert lines[:2] == ["FROM scratch", 'CMD ["x"]']
    assert lines[2].startswith('LABEL org.layerlab.sandbox.role="attempt"')
    assert 'org.layerlab.sandbox.attempt="a1"' in lines[2]
    assert len(lines) == 3


@pytest.mark.parametrize("attempt_id", ["../busybox", "layerlab/busybox", "UPPER", "a:b", "x" * 65])
def test_attempt_ids_cannot_make_other_tags(attempt_id):
    with pytest.raises(ValueError):
        attempt_tag(attempt_id)


def test_without_an_attempt_id_the_server_picks_one():
    first, second = attempt_tag(None), attempt_tag(None)
    assert first.startswith("layerlab-attempt:") and first != second
