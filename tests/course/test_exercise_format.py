"""The exercise format is validated with messages that name the file and the key."""
import shutil

import pytest
from django.conf import settings

from course.exercises import ExerciseInvalid, load_exercise

SOURCE = settings.COURSE_CONTENT_DIR / "05-run-cmd-entrypoint" / "exercises" / "entrypoint-cmd"


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "entrypoint-cmd"
    shutil.copytree(SOURCE, copy)
    return copy


def problems(folder) -> list[str]:
    with pytest.raises(ExerciseInvalid) as raised:
        load_exercise(folder)
    return [str(problem) for problem in raised.value.problems]


def edit(folder, old: str, new: str) -> None:
    path = folder / "exercise.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_real_exercise_loads(folder):
    exercise = load_exercise(folder)
    assert exercise.slug == "entrypoint-cmd"
    assert set(exercise.wrong) == {"cmd-only", "shell-form-entrypoint"}
    assert b"ENTRYPOINT" in exercise.solution.files["Dockerfile"]


def test_a_missing_translation_names_the_key(folder):
    edit(folder, "  zh-hans: 带默认参数的 ENTRYPOINT\n", "")
    [problem] = problems(folder)
    assert problem.endswith("exercise.yaml: title.zh-hans: missing text (every text needs en and zh-hans)")


def test_a_bad_check_option_names_the_check_and_key(folder):
    edit(folder, "    field: Cmd\n    equals: [world]", "    field: Command\n    equals: [world]")
    [problem] = problems(folder)
    assert "exercise.yaml: checks[1].field: one of Cmd, Entrypoint" in problem


def test_a_wrong_variant_must_name_real_checks(folder):
    edit(folder, "cmd-only: [default-argument-in-cmd,", "cmd-only: [no-such-check,")
    assert any("wrong.cmd-only: unknown check id(s): no-such-check" in p for p in problems(folder))


def test_a_wrong_variant_needs_its_folder(folder):
    shutil.rmtree(folder / "wrong" / "cmd-only")
    assert any("wrong.cmd-only: there is no folder wrong/cmd-only/" in p for p in problems(folder))


def test_unknown_keys_and_limits_are_refused(folder):
    edit(folder, "bases: [layerlab/busybox]", "bases: [layerlab/busybox]\nlimits: {network: 1}\nbogus: 1")
    found = problems(folder)
    assert any("bogus: unknown key" in p for p in found)
    assert any("limits.network: not a limit an exercise may set" in p for p in found)


def test_a_symlink_in_the_solution_is_refused(folder):
    (folder / "solution" / "passwd").symlink_to("/etc/passwd")
    assert any("solution: solution/passwd is a symbolic link" in p or "passwd is a symbolic link" in p
               for p in problems(folder))


def test_cheats_and_alternative_solutions_are_loaded_over_the_solutions_files(folder):
    exercise = load_exercise(folder)
    assert set(exercise.cheats) == {"printf-greeting", "shell-wrapper-in-json"}
    assert set(exercise.solutions) == {"script-through-sh", "shell-that-execs"}
    cheat = exercise.cheats["printf-greeting"].files
    assert b"printf" in cheat["Dockerfile"] and cheat["greet.sh"] == exercise.solution.files["greet.sh"]


def test_a_cheat_entry_needs_its_folder_and_a_publish(folder):
    with open(folder / "exercise.yaml", "a") as yaml_file:
        yaml_file.write("cheats:\n  no-such-cheat: {publish: [{tags: [hello:1.0]}]}\n  printf-greeting: [builds]\n")
    found = problems(folder)
    assert any("cheats.no-such-cheat: there is no folder cheats/no-such-cheat/" in p for p in found)
    assert any("cheats.printf-greeting: a mapping with publish" in p for p in found)
