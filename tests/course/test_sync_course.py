"""sync_course: validates content with file-and-line messages, renders it safely, and is idempotent."""
import re
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from course.content import ContentError
from course.models import Exercise, Lesson, LessonPage
from course.sync import sync_course

pytestmark = pytest.mark.django_db


def problems(course_folder) -> list[str]:
    with pytest.raises(ContentError) as raised:
        sync_course(course_folder.root)
    return [str(problem) for problem in raised.value.problems]


def test_it_loads_lessons_pages_and_exercises(course_folder):
    course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    course_folder.lesson("02-second", order=2, exercises=["ex-b", "ex-c"])
    report = sync_course(course_folder.root)
    assert (report.lessons, report.exercises) == (2, 3)
    assert list(Lesson.objects.values_list("slug", flat=True)) == ["first", "second"]
    assert LessonPage.objects.count() == 4
    assert list(Exercise.objects.filter(lesson__slug="second").values_list("slug", flat=True)) == ["ex-b", "ex-c"]


def test_running_it_twice_changes_nothing(course_folder):
    course_folder.lesson("01-first", order=1)
    sync_course(course_folder.root)
    before = list(LessonPage.objects.values_list("id", "html"))
    sync_course(course_folder.root)
    assert list(LessonPage.objects.values_list("id", "html")) == before


def test_it_removes_lessons_that_are_gone(course_folder):
    course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    gone = course_folder.lesson("02-gone", order=2, exercises=["ex-gone"])
    sync_course(course_folder.root)
    shutil.rmtree(gone)
    report = sync_course(course_folder.root)
    assert report.removed_lessons == ["02-gone"]
    assert not Lesson.objects.filter(slug="gone").exists()
    assert not Exercise.objects.filter(slug="ex-gone").exists()


def test_a_broken_lesson_link_is_reported_with_file_and_line(course_folder):
    broken = "## Start\n\n![x](images/stack.svg)\n\nSee [next](lesson:02-nowhere).\n"
    course_folder.lesson("01-first", order=1, en=broken)
    [problem] = problems(course_folder)
    assert "01-first/lesson.en.md:5:" in problem
    assert "no lesson '02-nowhere'" in problem


def test_a_broken_anchor_is_reported(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![x](images/stack.svg)\n\n[Up](#no-such-heading)\n")
    [problem] = problems(course_folder)
    assert "lesson.en.md:5:" in problem and "'no-such-heading'" in problem


def test_a_missing_translation_is_reported(course_folder):
    folder = course_folder.lesson("01-first", order=1)
    (folder / "lesson.zh.md").unlink()
    [problem] = problems(course_folder)
    assert "01-first/lesson.zh.md" in problem and "missing translation" in problem


def test_a_missing_title_translation_names_the_key_and_line(course_folder):
    folder = course_folder.lesson("01-first", order=1)
    meta = (folder / "meta.yaml").read_text().replace("  zh-hans: 第 1 课\n", "")
    (folder / "meta.yaml").write_text(meta)
    [problem] = problems(course_folder)
    assert "01-first/meta.yaml:2:" in problem and "'title' needs text for zh-hans" in problem


def test_a_missing_image_is_reported_with_its_line(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![Layers](images/missing.svg)\n",
                         zh="## 开始\n\n![层](images/missing.svg)\n")
    found = problems(course_folder)
    assert any("lesson.en.md:3:" in p and "missing image" in p for p in found)
    assert any("lesson.zh.md:3:" in p for p in found)


def test_an_image_in_one_language_only_is_reported(course_folder):
    course_folder.lesson("01-first", order=1, zh="## 开始\n\n没有图。\n")
    [problem] = problems(course_folder)
    assert "lesson.zh.md" in problem and "images/stack.svg is shown in lesson.en.md but not here" in problem


def test_an_image_without_alt_text_is_reported(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![](images/stack.svg)\n")
    [problem] = problems(course_folder)
    assert "lesson.en.md:3:" in problem and "alt text" in problem


def test_an_unknown_exercise_reference_is_reported(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![x](images/stack.svg)\n\n[Try](exercise:nope)\n")
    [problem] = problems(course_folder)
    assert "lesson.en.md:5:" in problem and "no exercise 'nope'" in problem


def test_an_exercise_listed_without_its_folder_is_reported(course_folder):
    folder = course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    meta = (folder / "meta.yaml").read_text().replace("[ex-a]", "[ex-a, ex-missing]")
    (folder / "meta.yaml").write_text(meta)
    [problem] = problems(course_folder)
    assert "meta.yaml:8:" in problem and "unknown exercise 'ex-missing'" in problem


def test_a_missing_recorded_output_is_reported(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![x](images/stack.svg)\n\n```output demo\n```\n")
    [problem] = problems(course_folder)
    assert "lesson.en.md:5:" in problem and "no recorded output for example 'demo'" in problem


def test_recorded_outputs_are_shown_as_console_transcripts(course_folder):
    folder = course_folder.lesson("01-first", order=1, en="## Start\n\n![x](images/stack.svg)\n\n```output demo\n```\n")
    (folder / "outputs").mkdir()
    (folder / "outputs" / "demo.txt").write_text("$ docker run --rm demo\nhello <world>\n")
    sync_course(course_folder.root)
    html = LessonPage.objects.get(language="en").html
    text = re.sub(r"<[^>]+>", "", html)
    assert "$ docker run --rm demo" in text and "hello &lt;world&gt;" in text


def test_nothing_is_loaded_when_anything_is_wrong(course_folder):
    course_folder.lesson("01-first", order=1)
    broken = "## A\n\n![x](images/stack.svg)\n[x](lesson:09-x)\n"
    course_folder.lesson("02-second", order=2, exercises=["ex-b"], en=broken)
    with pytest.raises(ContentError):
        sync_course(course_folder.root)
    assert Lesson.objects.count() == 0


def test_script_and_event_handlers_render_inert(course_folder):
    hostile = ('## Start\n\n![x](images/stack.svg)\n\n<script>alert("owned")</script>\n\n'
               '<img src="x" onerror="alert(1)">\n\n<a href="javascript:alert(1)" onclick="x()">a</a>\n\n'
               '<iframe src="https://example.org"></iframe><style>body{display:none}</style>\n')
    course_folder.lesson("01-first", order=1, en=hostile)
    sync_course(course_folder.root)
    html = LessonPage.objects.get(language="en").html
    assert "<script" not in html and 'alert("owned")' not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert "<iframe" not in html and "<style" not in html


def test_a_javascript_link_in_markdown_is_refused(course_folder):
    course_folder.lesson("01-first", order=1, en="## Start\n\n![x](images/stack.svg)\n\n[click](javascript:alert(1))\n")
    [problem] = problems(course_folder)
    assert "lesson.en.md:5:" in problem and "javascript:alert(1" in problem


def test_links_become_site_urls_and_code_is_highlighted(course_folder):
    course_folder.lesson("01-first", order=1, exercises=["ex-a"],
                         en="## Start\n\n![x](images/stack.svg)\n\n[Next](lesson:02-second#fin) and "
                            "[try](exercise:ex-a)\n\n```dockerfile\nFROM scratch\n```\n")
    course_folder.lesson("02-second", order=2, exercises=["ex-b"], en="## Fin\n\n![x](images/stack.svg)\n")
    sync_course(course_folder.root)
    html = LessonPage.objects.get(lesson__slug="first", language="en").html
    assert 'href="/lessons/second/#fin"' in html
    assert 'href="/exercises/ex-a/"' in html
    assert 'src="/lessons/first/images/stack.svg"' in html
    assert 'class="highlight"' in html


def test_the_table_of_contents_lists_sections(course_folder):
    course_folder.lesson("01-first", order=1, zh="## 开始\n\n![层](images/stack.svg)\n\n### 细节 & 更多\n")
    sync_course(course_folder.root)
    toc = LessonPage.objects.get(language="zh-hans").toc
    assert [(item["title"], item["level"]) for item in toc] == [("开始", 2), ("细节 & 更多", 3)]


def test_the_command_prints_every_problem_and_fails(course_folder):
    course_folder.lesson("01-first", order=1, en="## S\n\n![](images/stack.svg)\n[x](lesson:07-x)\n")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("sync_course", stderr=err, stdout=StringIO())
    assert "2 problem(s)" in str(raised.value)
    assert err.getvalue().count("lesson.en.md:") == 2


def test_the_real_course_loads_and_every_lesson_renders_in_both_languages():
    report = sync_course(settings.COURSE_CONTENT_DIR)
    assert report.lessons >= 7
    for lesson in Lesson.objects.all():
        for language in ("en", "zh-hans"):
            page = lesson.pages.get(language=language)
            assert len(page.html) > 2000, (lesson.folder, language)
            assert "<img" in page.html, f"{lesson.folder} ({language}) has no diagram"
            assert 'href="/exercises/' in page.html, f"{lesson.folder} ({language}) links no exercise"
