"""validate_course reports a variant that does not behave as declared (the whole course is validated in
tests/registry/test_course_exercises.py, next to the registry its publishing exercises need)."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.engine


def test_a_wrong_variant_that_fails_other_checks_than_declared_is_reported(real_engine, tmp_path, settings):
    import shutil

    source = settings.COURSE_CONTENT_DIR / "03-dockerfile-basics" / "exercises" / "first-dockerfile"
    lesson = tmp_path / "03-dockerfile-basics" / "exercises"
    shutil.copytree(source, lesson / "first-dockerfile")
    yaml_path = lesson / "first-dockerfile" / "exercise.yaml"
    declared = yaml_path.read_text().replace("no-workdir: [workdir, app-in-app-dir]", "no-workdir: [workdir]")
    yaml_path.write_text(declared)
    settings.COURSE_CONTENT_DIR = tmp_path
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("validate_course", stdout=out)
    assert "FAIL wrong/no-workdir" in out.getvalue()
    assert "fails ['app-in-app-dir', 'workdir'], declared ['workdir']" in out.getvalue()


GREETING_EXERCISE = """\
title: {en: Greet, zh-hans: 问候}
summary: {en: Greet whoever is named., zh-hans: 问候被点名的人。}
instructions: {en: Run greet.sh with a default name., zh-hans: 运行 greet.sh，带默认名字。}
bases: [layerlab/busybox]
checks:
  - id: builds
    type: build
    hint: {en: Read the build log from its first error., zh-hans: 从第一个错误开始读构建日志。}
  - id: greets-the-world
    type: run
    stdout: "Hello, world!"
    hint: {en: "What does CMD give the entrypoint?", zh-hans: "CMD 给入口点传了什么？"}
"""
GREETS_ZOE = """\
  - id: greets-whoever-is-named
    type: run
    args: [Zoë]
    stdout: "Hello, Zoë!"
    hint: {en: A name given to docker run replaces CMD., zh-hans: 传给 docker run 的名字会替换 CMD。}
"""


def greeting_course(root, checks: str = GREETING_EXERCISE) -> None:
    """A one-exercise course: greet.sh run with a default name; a cheat that echoes the greeting."""
    folder = root / "05-greet" / "exercises" / "greet"
    files = {
        "exercise.yaml": checks,
        "starter/Dockerfile": "FROM layerlab/busybox\n",
        "solution/Dockerfile": 'FROM layerlab/busybox\nCOPY greet.sh /greet.sh\nENTRYPOINT ["sh", "/greet.sh"]\n'
                               'CMD ["world"]\n',
        "solution/greet.sh": 'echo "Hello, $1!"\n',
        "cheats/echo-greeting/Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "Hello, world!"]\n',
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def validate(settings, root) -> tuple[str, bool]:
    settings.COURSE_CONTENT_DIR = root
    out = StringIO()
    try:
        call_command("validate_course", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def test_a_cheat_that_passes_and_an_alternative_that_fails_are_reported(real_engine, tmp_path, settings):
    greeting_course(tmp_path)
    alternative = tmp_path / "05-greet" / "exercises" / "greet" / "solutions" / "forgot-the-default"
    alternative.mkdir(parents=True)
    (alternative / "Dockerfile").write_text('FROM layerlab/busybox\nCOPY greet.sh /greet.sh\n'
                                            'ENTRYPOINT ["sh", "/greet.sh"]\n')
    text, passed = validate(settings, tmp_path)
    assert not passed
    assert "FAIL cheats/echo-greeting" in text
    assert "passes: a cheat must fail at least one required check" in text
    assert "FAIL solutions/forgot-the-default" in text
    assert "greets-the-world failed: `docker run <image>` printed \"Hello, !\"" in text
    assert "ok   solution " in text


def test_a_cheat_caught_by_a_check_names_that_check(real_engine, tmp_path, settings):
    greeting_course(tmp_path, GREETING_EXERCISE + GREETS_ZOE)
    text, passed = validate(settings, tmp_path)
    assert passed, text
    assert "ok   cheats/echo-greeting" in text
    assert "caught by ['greets-whoever-is-named']" in text
    assert "All 1 exercise(s) behave as declared." in text


def test_an_exercise_without_cheats_fails_validation(real_engine, tmp_path, settings):
    import shutil

    greeting_course(tmp_path, GREETING_EXERCISE + GREETS_ZOE)
    shutil.rmtree(tmp_path / "05-greet" / "exercises" / "greet" / "cheats")
    text, passed = validate(settings, tmp_path)
    assert not passed
    assert "FAIL cheats " in text
    assert "no cheats/<name>/ folder" in text


def test_a_check_without_a_hint_is_reported(real_engine, tmp_path, settings):
    greeting_course(tmp_path, GREETING_EXERCISE + GREETS_ZOE.split("    hint:")[0])
    text, passed = validate(settings, tmp_path)
    assert not passed
    assert "FAIL hints " in text
    assert "checks without a hint: greets-whoever-is-named" in text
