"""The course base images: built offline, idempotent, with /tmp 1777 and a non-root user."""
from dataclasses import replace

import pytest

from engine.engine import LABEL_RECIPE, LABEL_ROLE
from engine.images import RECIPES, Recipe, ensure_base_image

pytestmark = pytest.mark.engine

GO_MODULE = {
    "go.mod": b"module example.org/hello\n\ngo 1.19\n",
    "main.go": b'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from a static binary") }\n',
}


@pytest.mark.parametrize("image", ["layerlab/busybox", "layerlab/python", "layerlab/golang"])
def test_tmp_is_world_writable_and_sticky_and_learner_exists(engine, image):
    _, result = engine.run(image, ["sh", "-c", "stat -c %a /tmp; id learner"])
    mode, identity = result.stdout.split("\n", 1)
    assert mode == "1777"
    assert identity.startswith("uid=1000(learner) gid=1000(learner)")


def test_busybox_is_a_few_megabytes(engine):
    assert engine.inspect("layerlab/busybox").size < 5_000_000


def test_python_runs_python3(engine):
    _, result = engine.run("layerlab/python", ["python3", "-c", "import sys; print(sys.version_info[:2])"])
    assert result.stdout == "(3, 11)\n"


def test_golang_is_go_1_19(engine):
    _, result = engine.run("layerlab/golang", ["go", "version"])
    assert result.stdout.startswith("go version go1.19")


def test_a_go_program_builds_into_a_scratch_image(engine):
    dockerfile = (
        "FROM layerlab/golang AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/hello .\n"
        "FROM scratch\nCOPY --from=build /out/hello /hello\nENTRYPOINT [\"/hello\"]\n"
    )
    roomy = replace(engine.limits, memory_mb=768, build_timeout=240)  # as an operator would set them
    _, built = engine.build({"Dockerfile": dockerfile.encode(), **GO_MODULE}, limits=roomy)
    assert built.outcome.ok, built.outcome.message()
    _, ran = engine.run(built.image)
    assert ran.stdout == "hello from a static binary\n"
    assert engine.inspect(built.image).size < 10_000_000


def test_an_unchanged_recipe_is_not_rebuilt(engine, tmp_path):
    for recipe in RECIPES:
        assert ensure_base_image(engine, recipe, sources={}, work_dir=tmp_path, say=lambda _: None) == "up to date"


def test_a_course_name_can_map_to_another_image(engine, tmp_path):
    recipe = Recipe("layerlab/mapped-for-test", "busybox", changes=('CMD ["sh"]',))
    try:
        status = ensure_base_image(engine, recipe, sources={recipe.name: "layerlab/busybox"}, work_dir=tmp_path,
                                   say=lambda _: None)
        labels = engine.inspect_raw(recipe.name)["Config"]["Labels"]
        assert status == "pulled"
        assert labels[LABEL_ROLE] == "base" and labels[LABEL_RECIPE] == recipe.digest()
        assert ensure_base_image(engine, recipe, sources={recipe.name: "layerlab/busybox"}, work_dir=tmp_path,
                                 say=lambda _: None) == "up to date"
    finally:
        engine.api.remove_image(recipe.name)

