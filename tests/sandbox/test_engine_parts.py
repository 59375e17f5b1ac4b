"""The engine's parts keep to themselves: each uses the others' public methods only, and all of them talk to the
daemon through the facade's one client (a test that patches `engine.api` reaches every part)."""
import ast
from pathlib import Path

import engine

ENGINE_MODULES = sorted(Path(engine.__file__).parent.rglob("*.py"))
# docker-py's build() cannot send ulimits or hand back its response, so the build posts through these itself.
DOCKER_PY_PRIVATES = {"api._post", "api._url", "api._raise_for_status"}


def foreign_privates(source: str) -> set[str]:
    """Every `x._name` in `source` where x is not `self` or `cls`: a reach into another object's insides."""
    return {
        ast.unparse(node) for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
    }


def test_no_engine_module_reaches_into_another_objects_privates():
    reaches = {str(path.name): sorted(foreign_privates(path.read_text()) - DOCKER_PY_PRIVATES)
               for path in ENGINE_MODULES}
    assert {module: names for module, names in reaches.items() if names} == {}


def test_the_check_sees_a_reach_through_another_part():
    assert foreign_privates("def f(self):\n    self.engine._remove_container(c)\n    self._own()\n") == {
        "self.engine._remove_container"}


def test_the_facade_is_built_without_a_daemon_and_its_parts_share_one_client():
    from engine.engine import Engine

    facade = Engine("unix:///nowhere/docker.sock")
    parts = [facade.inspector, facade.builder, facade.runner, facade.transfers, facade.bases, facade.reaper]
    assert all(part.client is facade.client for part in parts)
