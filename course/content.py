"""Reading, checking and rendering the course content in course/content/ (the format is in docs/lessons.md).

`read_course` gathers every problem it finds (with file and line) before giving up, so an author fixes them all in
one pass; `render_page` turns one lesson's Markdown into sanitised HTML and a table of contents.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import nh3
import yaml
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from course.exercises import Exercise, ExerciseInvalid, load_exercise

LANGUAGE_FILES = {"en": "lesson.en.md", "zh-hans": "lesson.zh.md"}
LANGUAGES = tuple(LANGUAGE_FILES)
LESSON_FOLDER = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
EXERCISE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
OUTPUT_BLOCK = re.compile(r"^```output[ \t]+(\S+)[ \t]*\n```[ \t]*$", re.MULTILINE)
IMAGE_TARGET = re.compile(r"^images/[A-Za-z0-9._-]+\.(svg|png)$")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "loading", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}


@dataclass(frozen=True)
class ContentProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        path = self.path.relative_to(Path.cwd()) if self.path.is_relative_to(Path.cwd()) else self.path
        return f"{path}:{self.line}: {self.message}" if self.line else f"{path}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[ContentProblem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ExerciseSource:
    exercise: Exercise
    order: int

    @property
    def slug(self) -> str:
        return self.exercise.slug


@dataclass
class LessonSource:
    folder: Path
    slug: str
    order: int
    title: dict[str, str]
    summary: dict[str, str]
    exercises: list[ExerciseSource]
    markdown: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.folder.name


@dataclass(frozen=True)
class RenderedPage:
    html: str
    toc: list[dict]
    anchors: frozenset[str]


@dataclass(frozen=True)
class Links:
    """How `lesson:`, `exercise:` and `images/` targets become URLs on the site."""

    lesson_url: Callable[[str], str]  # lesson folder name -> URL
    exercise_url: Callable[[str], str]
    image_url: Callable[[str], str]  # image file name -> URL


# --------------------------------------------------------------------------------------------------------- reading


def read_course(root: Path) -> list[LessonSource]:
    """Every lesson under `root`, checked; ContentError lists all problems found."""
    problems: list[ContentProblem] = []
    lessons = [lesson for folder in _lesson_folders(root, problems) if (lesson := _read_lesson(folder, problems))]
    _check_unique(lessons, problems)
    for lesson in lessons:
        for language in LANGUAGES:
            problems.extend(_check_markdown(lesson, language, lessons))
        problems.extend(_check_same_images(lesson))
    if problems:
        raise ContentError(problems)
    return sorted(lessons, key=lambda lesson: lesson.order)


def _lesson_folders(root: Path, problems: list[ContentProblem]) -> Iterator[Path]:
    if not root.is_dir():
        problems.append(ContentProblem(root, None, "the course content folder does not exist"))
        return
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        if LESSON_FOLDER.match(folder.name):
            yield folder
        else:
            problems.append(ContentProblem(folder, None, "lesson folders are named NN-slug, e.g. 01-image-layers"))


def _read_lesson(folder: Path, problems: list[ContentProblem]) -> LessonSource | None:
    meta_path = folder / "meta.yaml"
    meta = _read_yaml(meta_path, problems)
    if meta is None:
        return None
    before = len(problems)
    order = meta.get("order")
    if not isinstance(order, int):
        problems.append(ContentProblem(meta_path, meta.line("order"), "'order' must be a whole number"))
    title = _translations(meta, "title", problems)
    summary = _translations(meta, "summary", problems)
    exercises = _read_exercises(folder, meta, problems)
    texts = {}
    for language, name in LANGUAGE_FILES.items():
        path = folder / name
        if path.is_file():
            texts[language] = path.read_text(encoding="utf-8")
        else:
            problems.append(ContentProblem(path, None, f"missing translation: {name} ({language}) does not exist"))
    if len(problems) > before:
        return None
    slug = LESSON_FOLDER.match(folder.name)[2]
    return LessonSource(folder, slug, order, title, summary, exercises, texts)


class _Meta(dict):
    """A YAML mapping that remembers the line of each top-level key."""

    lines: dict[str, int]
    path: Path

    def line(self, key: str) -> int | None:
        return self.lines.get(key)


def _read_yaml(path: Path, problems: list[ContentProblem]) -> _Meta | None:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except FileNotFoundError:
        problems.append(ContentProblem(path, None, "missing file"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(ContentProblem(path, mark.line + 1 if mark else None, f"not valid YAML: {error}"))
        return None
    if not isinstance(data, dict):
        problems.append(ContentProblem(path, 1, "must be a mapping of keys to values"))
        return None
    meta = _Meta(data)
    meta.lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}
    meta.path = path
    return meta


def _translations(meta: _Meta, key: str, problems: list[ContentProblem]) -> dict[str, str]:
    value = meta.get(key)
    missing = [lang for lang in LANGUAGES if not isinstance(value, dict) or not str(value.get(lang) or "").strip()]
    if missing:
        problems.append(ContentProblem(meta.path, meta.line(key) or 1,
                                       f"'{key}' needs text for {', '.join(missing)} (missing translation)"))
        return {}
    return {lang: str(value[lang]).strip() for lang in LANGUAGES}


def _read_exercises(folder: Path, meta: _Meta, problems: list[ContentProblem]) -> list[ExerciseSource]:
    slugs = meta.get("exercises", [])
    if not isinstance(slugs, list):
        problems.append(ContentProblem(meta.path, meta.line("exercises"), "'exercises' must be a list of slugs"))
        return []
    exercises = []
    for order, slug in enumerate(slugs):
        exercise_folder = folder / "exercises" / str(slug)
        if not EXERCISE_SLUG.match(str(slug)) or not (exercise_folder / "exercise.yaml").is_file():
            problems.append(ContentProblem(meta.path, meta.line("exercises"),
                                           f"unknown exercise {slug!r}: {exercise_folder}/exercise.yaml is missing"))
            continue
        try:
            exercise = load_exercise(exercise_folder)
        except ExerciseInvalid as error:
            problems.extend(ContentProblem(p.path, None, f"{p.key}: {p.message}" if p.key else p.message)
                            for p in error.problems)
            continue
        exercises.append(ExerciseSource(exercise, order))
    return exercises


def _check_unique(lessons: list[LessonSource], problems: list[ContentProblem]) -> None:
    seen: dict[str, Path] = {}
    for lesson in lessons:
        for exercise in lesson.exercises:
            if exercise.slug in seen:
                problems.append(ContentProblem(lesson.folder / "meta.yaml", None,
                                               f"exercise {exercise.slug!r} is also listed by {seen[exercise.slug]}"))
            seen[exercise.slug] = lesson.folder
    for key in ("slug", "order"):
        values = [getattr(lesson, key) for lesson in lessons]
        for lesson in lessons:
            if values.count(getattr(lesson, key)) > 1:
                problems.append(ContentProblem(lesson.folder / "meta.yaml", None,
                                               f"another lesson has the same {key} ({getattr(lesson, key)})"))


# ------------------------------------------------------------------------------------------------------- checking


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def _check_markdown(lesson: LessonSource, language: str, lessons: list[LessonSource]) -> Iterator[ContentProblem]:
    path = lesson.folder / LANGUAGE_FILES[language]
    text = lesson.markdown[language]
    by_name = {other.name: other for other in lessons}
    exercises = {exercise.slug for other in lessons for exercise in other.exercises}
    for number, line in _prose_lines(text):
        for match in LINK.finditer(line):
            problem = _check_link(lesson, language, match, by_name, exercises)
            if problem:
                yield ContentProblem(path, number, problem)
    for match in OUTPUT_BLOCK.finditer(text):
        name = match[1]
        if not (lesson.folder / "outputs" / f"{name}.txt").is_file():
            line = text[: match.start()].count("\n") + 1
            yield ContentProblem(path, line, f"no recorded output for example {name!r}: run "
                                             f"`manage.py course_outputs {lesson.folder}` (and check examples/{name})")


def _check_link(lesson, language, match, by_name, exercises) -> str | None:
    is_image, text, target = match[1] == "!", match[2], match[3]
    if is_image:
        if not text.strip():
            return f"the picture {target} needs alt text: ![what it shows]({target})"
        if not IMAGE_TARGET.match(target):
            return f"pictures come from this lesson's images/ folder (images/name.svg), not {target}"
        if not (lesson.folder / target).is_file():
            return f"missing image: {lesson.folder / target} does not exist"
        return None
    scheme, name, _ = _link_target(target)
    if scheme == "lesson":
        if name not in by_name:
            return f"broken link: there is no lesson {name!r} (name a folder, e.g. lesson:01-image-layers)"
        return None  # anchors are checked once pages are rendered
    if scheme == "exercise":
        return None if name in exercises else f"broken link: there is no exercise {name!r}"
    if scheme in ("http", "https", "mailto") or target.startswith("#"):
        return None
    return f"link {target!r}: use lesson:<folder>, exercise:<slug>, #anchor or a full https:// address"


def _link_target(target: str) -> tuple[str, str, str]:
    """A link's scheme, what it names and its anchor: ("lesson", "01-image-layers", "layers"),
    ("exercise", "first-dockerfile", ""); other links give their scheme and the rest."""
    scheme, _, rest = target.partition(":")
    name, _, anchor = rest.partition("#") if scheme == "lesson" else (rest, "", "")
    return scheme, name, anchor


def _check_same_images(lesson: LessonSource) -> Iterator[ContentProblem]:
    images = {
        language: {m[3] for _, line in _prose_lines(text) for m in LINK.finditer(line) if m[1] == "!"}
        for language, text in lesson.markdown.items()
    }
    for language, other in (("en", "zh-hans"), ("zh-hans", "en")):
        for image in sorted(images[other] - images[language]):
            yield ContentProblem(lesson.folder / LANGUAGE_FILES[language], None,
                                 f"missing image: {image} is shown in {LANGUAGE_FILES[other]} but not here")


def check_anchors(lesson: LessonSource, language: str, pages: dict[tuple[str, str], RenderedPage]):
    """Problems with `lesson:x#anchor` links, now that every page's heading ids are known."""
    path = lesson.folder / LANGUAGE_FILES[language]
    for number, line in _prose_lines(lesson.markdown[language]):
        for match in LINK.finditer(line):
            scheme, folder, anchor = _link_target(match[3])
            if match[3].startswith("#"):
                folder, anchor = lesson.name, match[3][1:]
            elif scheme != "lesson" or not anchor:
                continue
            if anchor not in pages[(folder, language)].anchors:
                yield ContentProblem(path, number, f"broken link: {folder} has no heading with the id {anchor!r}")


# ------------------------------------------------------------------------------------------------------ rendering


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: markdown.Markdown, links: Links):
        super().__init__(md)
        self.links = links

    def run(self, root) -> None:
        for element in root.iter("a"):
            element.set("href", self._resolve(element.get("href", "")))
        for element in root.iter("img"):
            element.set("src", self.links.image_url(element.get("src", "").removeprefix("images/")))
            element.set("loading", "lazy")

    def _resolve(self, target: str) -> str:
        scheme, name, anchor = _link_target(target)
        if scheme == "lesson":
            return self.links.lesson_url(name) + (f"#{anchor}" if anchor else "")
        if scheme == "exercise":
            return self.links.exercise_url(name)
        return target


def _with_outputs(lesson: LessonSource, text: str) -> str:
    def transcript(match: re.Match) -> str:
        output = (lesson.folder / "outputs" / f"{match[1]}.txt").read_text(encoding="utf-8").rstrip("\n")
        return f"```console\n{output}\n```"

    return OUTPUT_BLOCK.sub(transcript, text)


def render_markdown(text: str, links: Links) -> tuple[str, list[dict]]:
    """Sanitised HTML and the heading tokens of a Markdown text."""
    md = markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "admonition", "sane_lists", "toc"],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "toc": {"slugify": slugify_unicode, "toc_depth": "2-3", "permalink": False},
        },
    )
    md.treeprocessors.register(_LinkRewriter(md, links), "layerlab_links", 1)
    rendered = md.convert(text)
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                      url_schemes={"http", "https", "mailto"})
    return clean, md.toc_tokens


def render_page(lesson: LessonSource, language: str, links: Links) -> RenderedPage:
    html_text, tokens = render_markdown(_with_outputs(lesson, lesson.markdown[language]), links)
    toc = list(_flatten(tokens))
    return RenderedPage(html_text, toc, frozenset(item["id"] for item in toc))


def _flatten(tokens: list[dict]) -> Iterator[dict]:
    for token in tokens:
        yield {"id": token["id"], "title": html.unescape(token["name"]), "level": token["level"]}
        yield from _flatten(token["children"])

