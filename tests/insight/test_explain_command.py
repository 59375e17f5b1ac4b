"""`manage.py explain`: builds a directory as the site would and prints layers, waste and the effective command."""
import json

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

DOCKERFILE = """FROM layerlab/busybox
RUN head -c 123456 /dev/zero > /big
RUN rm /big
ENTRYPOINT ["echo"]
CMD ["hi"]
"""


def explain(capsys, directory, *arguments) -> dict:
    call_command("explain", str(directory), "--json", *arguments)
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def context(tmp_path, settings, engine):  # `engine`: whatever the build leaves in the cache is pruned after
    settings.STATE_DIR = tmp_path / "state"
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return tmp_path


def test_its_json_has_the_layer_table_the_waste_and_the_argv(capsys, context):
    report = explain(capsys, context, "--", "a", "b")
    mine = [layer for layer in report["layers"] if layer["line"]]
    assert [(layer["instruction"], layer["line"]) for layer in mine] == [
        ("RUN head -c 123456 /dev/zero > /big", 2), ("RUN rm /big", 3), ('ENTRYPOINT ["echo"]', 4), ('CMD ["hi"]', 5)]
    assert (mine[0]["size"], mine[0]["added"], mine[1]["deleted"]) == (123456, ["big"], ["big"])
    assert report["wasted_bytes"] == 123456
    assert (report["argv"], report["no_command"]) == (["echo", "a", "b"], False)


def test_an_empty_entrypoint_leaves_no_command(capsys, context):
    report = explain(capsys, context, "--entrypoint", "")
    assert (report["argv"], report["no_command"]) == (None, True)


def test_it_refuses_a_base_outside_the_ones_given(context):
    with pytest.raises(SystemExit) as exit_status:
        call_command("explain", str(context), "--base", "layerlab/python")
    assert exit_status.value.code == 2
