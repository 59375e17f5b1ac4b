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
