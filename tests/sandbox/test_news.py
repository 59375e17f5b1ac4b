"""News is only news: with the channel layer's Redis gone, events are still stored (for the page to replay) and the
attempt goes on; the failed announcement is logged."""
import logging

import pytest
from django.contrib.auth.models import User

from attempts import jobs
from course.models import Exercise

pytestmark = pytest.mark.django_db(transaction=True)

NOWHERE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers


def test_events_are_stored_when_the_channel_layer_cannot_be_reached(course, settings, caplog):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {
        "hosts": [{"address": NOWHERE, "socket_connect_timeout": 0.5}]}}}
    attempt = jobs.submit(User.objects.create_user("ada"), Exercise.objects.get(slug="push-private-registry"), "try",
                          {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'})
    with caplog.at_level(logging.WARNING, logger="attempts.news"):
        jobs.record(attempt, jobs.notice({"en": "still here", "zh-hans": "还在"}))
    assert [event["type"] for event in jobs.events_after(attempt, 0)] == ["queued", "notice"]
    assert "could not announce event 2" in caplog.text
