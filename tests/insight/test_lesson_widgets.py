"""Live widgets in lessons: the reader's latest image, or a course example image when they have none."""
import pytest
from django.contrib.auth.models import User

from attempts.models import Attempt
from course.models import Exercise

pytestmark = pytest.mark.django_db

WIDGET_LESSONS = {"01-image-layers": "layers", "02-union-filesystem": "waste", "03-dockerfile-basics": "cache-miss",
                  "05-run-cmd-entrypoint": "command"}


@pytest.mark.parametrize(("lesson", "section"), sorted(WIDGET_LESSONS.items()))
def test_a_learner_with_an_image_is_sent_to_its_page(client, course, lesson, section):
    ada = User.objects.create_user("ada")
    attempt = Attempt.objects.create(user=ada, exercise=Exercise.objects.get(slug="first-dockerfile"), kind="try",
                                     status="finished", outcome_kind="ok", files={"Dockerfile": "FROM scratch\n"})
    client.force_login(ada)
    page = client.get(f"/lessons/{lesson.split('-', 1)[1]}/").content.decode()
    assert f'href="/insight/attempts/{attempt.id}/#{section}"' in page
    assert "[[insight:" not in page


def test_someone_elses_attempt_is_not_shown(client, course):
    bea = User.objects.create_user("bea")
    Attempt.objects.create(user=bea, exercise=Exercise.objects.get(slug="first-dockerfile"), kind="try",
                           status="finished", outcome_kind="ok")
    client.force_login(User.objects.create_user("ada"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("insight.templatetags.insight_widgets._example", lambda: None)
        assert "/insight/attempts/" not in client.get("/lessons/image-layers/").content.decode()


@pytest.mark.engine
def test_a_reader_without_an_image_sees_the_course_example(client, course, settings, tmp_path, real_engine):
    settings.STATE_DIR = tmp_path
    page = client.get("/lessons/run-cmd-entrypoint/").content.decode()
    assert "layerlab/busybox" in page and "<pre>sh</pre>" in page
    page = client.get("/lessons/image-layers/").content.decode()
    assert "paths added" in page
