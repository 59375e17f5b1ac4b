"""The apps import one way: course → attempts → grading → engine, with registry beside attempts (it may use the
engine, and grading reads it only through what its caller hands in), and only `engine` talks to Docker.

A lower app never imports a higher one, so each can be read, tested and replaced without the ones above it.
`layerlab` (settings, URLs, ASGI) wires them all together and is imported by none of them; `insight` and
`teaching` sit on top.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each app may import of this project's packages, besides itself.
ALLOWED = {
    "engine": set(),
    "registry": {"engine"},
    "grading": {"engine"},
    "attempts": {"grading", "registry", "engine"},
    "course": {"attempts", "grading", "registry", "engine"},
    "insight": {"course", "attempts", "grading", "registry", "engine"},  # on top: only URLs and templates wire it in
    "teaching": {"course", "attempts", "grading", "registry", "engine"},  # on top, beside insight
}
PROJECT_PACKAGES = {*ALLOWED, "layerlab", "tests", "bench"}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, at any depth of its code (imports inside functions count)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules_of(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted((imported_packages(path) & PROJECT_PACKAGES) - ALLOWED[app] - {app})
        for path in modules_of(app)
    }
    assert {module: packages for module, packages in wrong.items() if packages} == {}


def test_only_the_engine_imports_docker():
    importers = [str(path.relative_to(ROOT)) for app in ALLOWED if app != "engine"
                 for path in modules_of(app) if "docker" in imported_packages(path)]
    assert importers == []
    assert "docker" in imported_packages(ROOT / "engine" / "engine.py")


def test_the_rule_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def later():\n    from course.models import Exercise\n    return Exercise\n")
    assert imported_packages(module) == {"course"}
