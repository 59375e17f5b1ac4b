"""validate_course: every exercise's solution passes, its starter does not, its wrong variants fail as declared."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.engine


def test_every_exercise_of_the_course_behaves_as_declared(real_engine):
    out = StringIO()
    call_command("validate_course", stdout=out)
    text = out.getvalue()
    assert "FAIL" not in text
    assert "All 8 exercise(s) behave as declared." in text
    assert text.count("  ok   ") >= 8 * 4  # solution, starter and at least two wrong variants each


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
