"""validate_course over the whole course, with the registry its publishing exercises are graded from: each
solution and alternative solution passes, each starter does not, each wrong variant fails exactly the checks it
declares, and every cheat is caught."""
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]


def test_every_exercise_of_the_course_behaves_as_declared(registry_settings, real_engine):
    out = StringIO()
    call_command("validate_course", stdout=out)
    text = out.getvalue()
    assert "FAIL" not in text, text
    exercise_folders = list(Path(settings.COURSE_CONTENT_DIR).glob("*/exercises/*/exercise.yaml"))
    assert len(exercise_folders) >= 9
    assert f"All {len(exercise_folders)} exercise(s) behave as declared." in text
    assert text.count("  ok   ") >= 9 * 4  # solution, starter and at least two wrong variants each
    assert text.count("  ok   cheats/") >= 2 * len(exercise_folders), "every exercise refuses two cheats or more"
    assert text.count("caught by") == text.count("  ok   cheats/")
    content = Path(settings.COURSE_CONTENT_DIR)
    assert text.count("  ok   cheats/") == len(list(content.glob("*/exercises/*/cheats/*")))
    assert text.count("  ok   solutions/") == len(list(content.glob("*/exercises/*/solutions/*")))
    for variant in ("wrong/wrong-tag", "wrong/two-publishes", "wrong/wrong-digest", "cheats/config-digest-reported"):
        assert f"ok   {variant}" in text
    assert not User.objects.filter(username__startswith="validate-").exists(), "throwaway learners are deleted"
