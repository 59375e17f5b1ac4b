"""The site around the course: errors shown as errors, pages that do not exist inside the site's layout and the
visitor's language, a favicon and a theme switch on every page, Publish only where an exercise is about it."""
import json
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client

from course.forms import NOT_A_NAMESPACE, USERNAME_RULE

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_inside_the_layout_in_the_visitors_language(client):
    english = client.get("/no/such/page/")
    assert english.status_code == 404
    assert b'class="site-header"' in english.content and b"Page not found" in english.content
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/no/such/page/")
    assert chinese.status_code == 404 and "找不到页面" in chinese.content.decode()


def test_every_page_has_the_favicon_and_the_theme_switch(client):
    page = client.get("/").content.decode()
    favicon = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', page)
    assert favicon and finders.find(favicon[1]).endswith("static/favicon.svg")
    assert 'id="theme-switch"' in page and 'src="/static/theme.js"' in page


def test_a_sign_up_error_is_an_error_and_does_not_repeat_the_rule(client):
    page = client.post("/accounts/sign-up/", {"username": "Ada Lovelace", "password1": "x", "password2": "x"})
    errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', page.content.decode(), re.DOTALL)
    assert errors and str(NOT_A_NAMESPACE) in errors[0]
    help_text = str(USERNAME_RULE).split("%")[0]
    assert help_text not in errors[0] and page.content.decode().count(help_text) == 1
    assert User.objects.count() == 0


@pytest.mark.parametrize(("slug", "offered"), [("first-dockerfile", False), ("push-private-registry", True),
                                              ("tag-by-digest", True)])
def test_publish_is_offered_on_exercises_graded_from_the_registry_only(client, course, slug, offered):
    client.force_login(User.objects.create_user("ada"))
    page = client.get(f"/exercises/{slug}/").content.decode()
    data = json.loads(re.search(r'<script id="exercise-data" type="application/json">(.*?)</script>', page,
                                re.DOTALL)[1])
    assert data["publish"]["enabled"] is offered


def test_the_server_error_page_renders_in_the_layout_without_a_request():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        page = render_to_string("500.html")  # as Django's server_error renders it: no request, no context
    assert 'class="site-header"' in page and "出错了" in page
