"""Exercises as files (docs/authoring.md): exercise.yaml, starter/, solution/, and the variants wrong/<name>/,
cheats/<name>/ and solutions/<name>/.

`load_exercise` validates a folder and reports every problem with its file and key; `grading.spec.grading_spec`
turns the validated definition into what the grader needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.limits import EDITOR_LIMITS, SandboxLimits
from engine.rules import SubmissionRejected
from engine.submission_files import executable_files, read_context_directory
from grading.checks import SpecError, parse_check
from grading.runner import GradingSpec
from grading.spec import grading_spec, image_name

LANGUAGES = ("en", "zh-hans")
TEXT_KEYS = ("title", "summary", "instructions")
LIMIT_KEYS = {"build_timeout", "run_timeout", "memory_mb", "pids", "output_kb", "tmpfs_mb"}
KNOWN_KEYS = {*TEXT_KEYS, "bases", "limits", "run_as_root", "checks", "wrong", "cheats", "published", "publish"}


@dataclass(frozen=True)
class ExerciseProblem:
    path: Path
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}" if self.key else f"{self.path}: {self.message}"


class ExerciseInvalid(Exception):
    def __init__(self, problems: list[ExerciseProblem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class PublishStep:
    """What a learner publishes before submitting, as `validate_course` plays it: one Publish of the variant's
    files under `tags` of `repository`, and optionally the digest it printed written into the file `digest_to`."""

    repository: str
    tags: tuple[str, ...]
    digest_to: str | None = None


@dataclass(frozen=True)
class Variant:
    files: dict[str, bytes]
    publish: tuple[PublishStep, ...] = ()
    fails: tuple[str, ...] = ()  # for a wrong variant: the ids of the checks it must fail
    executable: frozenset[str] = frozenset()  # the files whose mode in the repository is executable (100755)


@dataclass(frozen=True)
class Exercise:
    slug: str
    folder: Path
    definition: dict[str, Any]  # exercise.yaml as validated; what sync_course stores
    starter: dict[str, bytes]
    solution: Variant
    wrong: dict[str, Variant]
    cheats: dict[str, Variant] = field(default_factory=dict)  # each must not pass
    solutions: dict[str, Variant] = field(default_factory=dict)  # other correct solutions: each must pass
    starter_executable: frozenset[str] = frozenset()
    # The starter in the other course languages, whole: the same files, with their comments translated.
    translated_starters: dict[str, dict[str, bytes]] = field(default_factory=dict)

    @property
    def spec(self) -> GradingSpec:
        return grading_spec(self.slug, self.definition)


def load_exercise(folder: Path) -> Exercise:
    path = folder / "exercise.yaml"
    problems: list[ExerciseProblem] = []

    def problem(key: str, message: str) -> None:
        problems.append(ExerciseProblem(path, key, message))

    definition = _read(path, problem)
    if definition is None:
        raise ExerciseInvalid(problems)
    _check_definition(definition, problem)
    trees = {name: _tree(folder / name, problem) for name in ("starter", "solution")}
    solution_steps = _publish_steps("publish", definition.get("publish"), problem)
    wrong = _wrong_variants(folder, definition, solution_steps, problem)
    cheats = _plain_variants(folder, "cheats", definition, solution_steps, problem)
    solutions = _plain_variants(folder, "solutions", {}, solution_steps, problem)
    translated_starters = _translated_starters(folder, trees["starter"], problem)
    if problems:
        raise ExerciseInvalid(problems)
    solution = Variant(trees["solution"], solution_steps,
                       executable=executable_files(folder / "solution", trees["solution"]))
    return Exercise(folder.name, folder, definition, trees["starter"], solution, wrong, cheats, solutions,
                    starter_executable=executable_files(folder / "starter", trees["starter"]),
                    translated_starters=translated_starters)


def _translated_starters(folder: Path, starter: dict[str, bytes], problem) -> dict[str, dict[str, bytes]]:
    """`starter.<language>/` holds the starter files whose comments read differently in that language (the others
    are the starter's own); a file there that the starter does not have would make the exercise differ by
    language, so it is refused."""
    translated = {}
    for language in LANGUAGES[1:]:
        own_folder = folder / f"starter.{language}"
        if not own_folder.is_dir():
            continue
        try:
            own = read_context_directory(own_folder)
        except SubmissionRejected as error:
            problem(f"starter.{language}", error.message("en"))
            continue
        if extra := sorted(set(own) - set(starter)):
            problem(f"starter.{language}", f"starter.{language}/ may only translate the starter's files, not add "
                    f"{', '.join(extra)}")
            continue
        translated[language] = {**starter, **own}
    return translated


def _read(path: Path, problem) -> dict | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem("", "missing file")
        return None
    except yaml.YAMLError as error:
        problem("", f"not valid YAML: {error}")
        return None
    if not isinstance(data, dict):
        problem("", "must be a mapping of keys to values")
        return None
    return data


def _check_definition(definition: dict, problem) -> None:
    for key in sorted(set(definition) - KNOWN_KEYS):
        problem(key, f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in TEXT_KEYS:
        value = definition.get(key)
        for language in LANGUAGES:
            if not isinstance(value, dict) or not str(value.get(language) or "").strip():
                problem(f"{key}.{language}", "missing text (every text needs en and zh-hans)")
    bases = definition.get("bases")
    if not isinstance(bases, list) or not bases or not all(isinstance(b, str) for b in bases):
        problem("bases", "a list of the images FROM may name, e.g. [layerlab/python]")
    _check_limits(definition.get("limits") or {}, problem)
    if "published" in definition and image_name(definition["published"]) is None:
        problem("published", "the image under test in the learner's namespace, as repository:tag, e.g. hello:1.0")
    checks = definition.get("checks")
    if not isinstance(checks, list) or not checks:
        problem("checks", "a list of checks (see docs/authoring.md)")
        return
    ids = []
    for index, options in enumerate(checks):
        try:
            ids.append(parse_check(f"checks[{index}]", options).id)
        except SpecError as error:
            problem(error.key, str(error).split(": ", 1)[1])
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problem("checks", f"the id {duplicate!r} is used twice")


def _check_limits(limits: Any, problem) -> None:
    if not isinstance(limits, dict):
        problem("limits", "a mapping, e.g. {run_timeout: 5}")
        return
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            problem(f"limits.{key}", f"not a limit an exercise may set ({', '.join(sorted(LIMIT_KEYS))})")
        elif not isinstance(value, int) or value <= 0 or value > getattr(SandboxLimits(), key) * 4:
            problem(f"limits.{key}", "a positive whole number, at most four times the default")


def _tree(folder: Path, problem) -> dict[str, bytes]:
    if not (folder / "Dockerfile").is_file():
        problem(folder.name, f"{folder} needs a Dockerfile")
        return {}
    try:
        files = read_context_directory(folder)
    except SubmissionRejected as error:
        problem(folder.name, error.message("en"))
        return {}
    for name, data in files.items():
        if len(data) > EDITOR_LIMITS.max_file_bytes:
            problem(folder.name, f"{name} is over {EDITOR_LIMITS.max_file_bytes // 1024} KB: learners edit these "
                    "files in the page")
    return files


def _wrong_variants(folder: Path, definition: dict, solution_steps: tuple[PublishStep, ...], problem) -> dict:
    declared = definition.get("wrong") or {}
    if not isinstance(declared, dict):
        problem("wrong", "a mapping of variant name to the ids of the checks it must fail")
        return {}
    present = _variant_folders(folder, "wrong")
    ids = {options.get("id") for options in definition.get("checks") or [] if isinstance(options, dict)}
    variants = {}
    for name in sorted(present | set(declared)):
        # Either the ids it fails, or {fails: [ids], publish: [steps]} when it publishes differently.
        entry = declared.get(name)
        expected = entry.get("fails") if isinstance(entry, dict) else entry
        publishes_differently = isinstance(entry, dict) and "publish" in entry
        if name not in present and not publishes_differently:
            problem(f"wrong.{name}", f"there is no folder wrong/{name}/ (only a variant that publishes differently "
                    "may have the solution's files)")
        elif not isinstance(expected, list) or not expected:
            problem(f"wrong.{name}", f"wrong/{name}/ must declare the ids of the checks it fails")
        elif unknown := sorted(set(expected) - ids):
            problem(f"wrong.{name}", f"unknown check id(s): {', '.join(unknown)}")
        else:
            steps = (_publish_steps(f"wrong.{name}.publish", entry["publish"], problem)
                     if publishes_differently else solution_steps)
            files, executable = _variant(folder, "wrong", name, problem)
            variants[name] = Variant(files, steps, tuple(expected), executable)
    return variants


def _plain_variants(folder: Path, kind: str, definition: dict, solution_steps: tuple[PublishStep, ...],
                    problem) -> dict[str, Variant]:
    """The cheats/ or solutions/ variants: each publishes like the solution, unless (for a cheat) `cheats:`
    says how it publishes instead."""
    declared = definition.get(kind) or {}
    if not isinstance(declared, dict):
        problem(kind, "a mapping of variant name to {publish: [...]}")
        return {}
    present = _variant_folders(folder, kind)
    for name in sorted(set(declared) - present):
        problem(f"{kind}.{name}", f"there is no folder {kind}/{name}/")
    variants = {}
    for name in sorted(present):
        entry = declared.get(name)
        steps = solution_steps
        if isinstance(entry, dict) and "publish" in entry:
            steps = _publish_steps(f"{kind}.{name}.publish", entry["publish"], problem)
        elif entry is not None:
            problem(f"{kind}.{name}", "a mapping with publish: the publishes this variant makes instead")
        files, executable = _variant(folder, kind, name, problem)
        variants[name] = Variant(files, steps, executable=executable)
    return variants


def _variant_folders(folder: Path, kind: str) -> set[str]:
    return {p.name for p in (folder / kind).iterdir() if p.is_dir()} if (folder / kind).is_dir() else set()


def _publish_steps(key: str, steps: Any, problem) -> tuple[PublishStep, ...]:
    if steps is None:
        return ()
    if not isinstance(steps, list):
        problem(key, "a list of publishes, e.g. [{tags: [hello:1.0]}]")
        return ()
    parsed = []
    for index, step in enumerate(steps):
        names = [image_name(tag) for tag in step.get("tags") or []] if isinstance(step, dict) else [None]
        digest_to = step.get("digest_to") if isinstance(step, dict) else None
        if not names or None in names or len({repository for repository, _ in names}) != 1:
            problem(f"{key}[{index}].tags", "tags of one repository, as repository:tag, e.g. [app:1.0, app:latest]")
        elif digest_to is not None and not isinstance(digest_to, str):
            problem(f"{key}[{index}].digest_to", "the submission file to write the published digest into")
        else:
            parsed.append(PublishStep(names[0][0], tuple(tag for _, tag in names), digest_to))
    return tuple(parsed)


def _variant(folder: Path, kind: str, name: str, problem) -> tuple[dict[str, bytes], frozenset[str]]:
    """A variant (`<kind>/<name>/`) holds only the files that differ from the solution; the rest are the
    solution's. Each file keeps the mode of the folder it comes from. Returns the files and those that are
    executable."""
    own_folder, solution_folder = folder / kind / name, folder / "solution"
    try:
        own = read_context_directory(own_folder) if own_folder.is_dir() else {}
    except SubmissionRejected as error:
        problem(f"{kind}.{name}", error.message("en"))
        return {}, frozenset()
    try:
        solution = read_context_directory(solution_folder) if solution_folder.is_dir() else {}
    except SubmissionRejected:
        solution = {}  # reported once, for solution/ itself
    inherited = {path: data for path, data in solution.items() if path not in own}
    executable = executable_files(solution_folder, inherited) | executable_files(own_folder, own)
    return {**solution, **own}, executable


def starter_text(files: dict[str, bytes]) -> dict[str, str]:
    """Starter files as text, for the editor."""
    return {path: data.decode("utf-8", errors="replace") for path, data in files.items()}


def find_exercise_folder(root: Path, slug: str) -> Path:
    """The folder of the exercise `slug` under the course content `root`; LookupError when there is none."""
    for folder in exercise_folders(root):
        if folder.name == slug:
            return folder
    raise LookupError(f"there is no exercise {slug!r} under {root}")


def exercise_folders(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/exercises/*/exercise.yaml"))
