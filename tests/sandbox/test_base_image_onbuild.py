"""A base image with ONBUILD triggers is refused whether it is built, pulled or found on the engine: the triggers
would run in every learner's build FROM it, outside the exercise's checks."""
import pytest

from engine.engine import LABEL_RECIPE, LABEL_ROLE, BaseImageRefused, build_context
from engine.images import Recipe, ensure_base_image
from tests.sandbox.test_hostile import course_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.engine

NAME = "layerlab/onbuild-for-test"
SOURCE = "layerlab-test/onbuild-source"


def quiet(_: str) -> None:
    pass


def build_image(engine, tag: str, dockerfile: str, labels: dict[str, str] | None = None) -> None:
    """An image made without the sandbox's rules, which would refuse its ONBUILD."""
    context = build_context({"Dockerfile": dockerfile.encode()})
    messages = list(engine.api.build(fileobj=context, custom_context=True, tag=tag, labels=labels, rm=True,
                                     network_mode="none", decode=True))
    assert not [message for message in messages if "error" in message], messages


@pytest.fixture
def cleanup(real_engine):
    yield
    for image in (NAME, SOURCE):
        real_engine.untag(image)


def test_a_recipe_with_onbuild_is_refused_once_built_and_leaves_no_image(real_engine, tmp_path, cleanup):
    recipe = Recipe(NAME, "busybox", changes=("ONBUILD RUN echo triggered",))
    with pytest.raises(BaseImageRefused) as raised:
        ensure_base_image(real_engine, recipe, sources={}, work_dir=tmp_path, say=quiet)
    assert str(raised.value) == (
        f"{NAME} has ONBUILD triggers (RUN echo triggered): they would run in every learner's build, outside the "
        "exercise's checks. Use an image without ONBUILD."
    )
    assert not real_engine.image_exists(NAME)


def test_an_image_to_pull_with_onbuild_is_refused_before_its_triggers_run(real_engine, tmp_path, cleanup,
                                                                          course_server):  # noqa: F811
    port, accepted = course_server
    build_image(real_engine, SOURCE, f"FROM layerlab/busybox\nONBUILD ADD http://127.0.0.1:{port}/secret /s\n")
    recipe = Recipe(NAME, "busybox")
    with pytest.raises(BaseImageRefused, match=f"ADD http://127.0.0.1:{port}/secret /s"):
        ensure_base_image(real_engine, recipe, sources={NAME: SOURCE}, work_dir=tmp_path, say=quiet)
    assert not real_engine.image_exists(NAME)
    assert accepted == []  # relabelling builds FROM the image: its trigger would have fetched the URL


def test_an_image_found_up_to_date_with_onbuild_is_refused_and_untagged(real_engine, tmp_path, cleanup):
    recipe = Recipe(NAME, "busybox")
    labels = {LABEL_ROLE: "base", LABEL_RECIPE: recipe.digest()}
    build_image(real_engine, NAME, "FROM layerlab/busybox\nONBUILD RUN echo triggered\n", labels)
    with pytest.raises(BaseImageRefused):
        ensure_base_image(real_engine, recipe, sources={}, work_dir=tmp_path, say=quiet)
    assert not real_engine.image_exists(NAME)


def test_the_course_images_have_no_onbuild_triggers(real_engine):
    for name in ("layerlab/busybox", "layerlab/python", "layerlab/golang"):
        real_engine.refuse_onbuild(name)
