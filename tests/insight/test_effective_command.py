"""The effective command against Docker's documented ENTRYPOINT × CMD table, every cell built and run for real.

`/show` prints each of its arguments, `$0` first, so the output tells exactly what was executed: the argv the
explainer predicts, run as an explicit `--entrypoint` and arguments, must print what the image's own run prints.
"""
import pytest

from engine.outcomes import OutcomeKind
from insight.command import effective_command

pytestmark = pytest.mark.engine

SHOW = b'#!/bin/sh\nfor word in "$0" "$@"; do echo "[$word]"; done\n'
ENTRYPOINTS = {"none": "", "shell": "ENTRYPOINT /show e1\n", "exec": 'ENTRYPOINT ["/show", "e1"]\n'}
CMDS = {"none": "", "exec": 'CMD ["/show", "c1"]\n', "shell": "CMD /show c1\n"}
SH = ["/bin/sh", "-c"]
# Docker's table (docs: "Understand how CMD and ENTRYPOINT interact"), with the words a shell form receives as
# $0 $1 … written out: the table's "/bin/sh -c exec_entry p1_entry" receives CMD after the text, and ignores it.
TABLE = {
    ("none", "none"): None,
    ("none", "exec"): ["/show", "c1"],
    ("none", "shell"): [*SH, "/show c1"],
    ("shell", "none"): [*SH, "/show e1"],
    ("shell", "exec"): [*SH, "/show e1", "/show", "c1"],
    ("shell", "shell"): [*SH, "/show e1", *SH, "/show c1"],
    ("exec", "none"): ["/show", "e1"],
    ("exec", "exec"): ["/show", "e1", "/show", "c1"],
    ("exec", "shell"): ["/show", "e1", *SH, "/show c1"],
}


def build_cell(engine, entrypoint: str, cmd: str):
    # The busybox base has CMD ["sh"]; "no ENTRYPOINT, no CMD" needs a base with neither.
    base = "scratch" if (entrypoint, cmd) == ("none", "none") else "layerlab/busybox"
    dockerfile = f"FROM {base}\nCOPY show /show\n{ENTRYPOINTS[entrypoint]}{CMDS[cmd]}"
    result = engine.build_ok(dockerfile, executable={"show"}, show=SHOW)
    return result.image, engine.inspect(result.image)


def run_output(engine, image: str, args=None, entrypoint=None):
    _, run = engine.run(image, args, entrypoint=entrypoint)
    return run.outcome.kind, run.stdout


def run_explicitly(engine, image: str, argv: list[str]):
    return run_output(engine, image, argv[1:], entrypoint=[argv[0]])


@pytest.mark.parametrize(("entrypoint", "cmd"), sorted(TABLE))
def test_every_cell_of_the_table_runs_as_explained(engine, entrypoint, cmd):
    image, facts = build_cell(engine, entrypoint, cmd)
    explained = effective_command(facts.entrypoint, facts.cmd)
    assert explained.argv == TABLE[entrypoint, cmd]
    if explained.no_command:
        kind, _ = run_output(engine, image)
        assert kind is OutcomeKind.RUN_ERROR
        return
    assert run_output(engine, image) == run_explicitly(engine, image, explained.argv)


@pytest.mark.parametrize(("entrypoint", "cmd"), sorted(TABLE))
def test_run_arguments_replace_cmd_in_every_cell(engine, entrypoint, cmd):
    image, facts = build_cell(engine, entrypoint, cmd)
    explained = effective_command(facts.entrypoint, facts.cmd, ["/show", "a1"])
    assert explained.cmd == ["/show", "a1"]
    assert explained.cmd_replaced_by_args == (cmd != "none")
    assert run_output(engine, image, ["/show", "a1"]) == run_explicitly(engine, image, explained.argv)


@pytest.mark.parametrize("override", ["/show", ""])
@pytest.mark.parametrize("cmd", ["exec", "shell"])
def test_an_entrypoint_flag_drops_the_images_cmd(engine, cmd, override):
    image, facts = build_cell(engine, "exec", cmd)
    explained = effective_command(facts.entrypoint, facts.cmd, None, override)
    assert explained.cmd_dropped_by_entrypoint
    if override == "":  # reset and nothing after it: Docker has no command to run
        assert explained.no_command
        assert run_output(engine, image, entrypoint=[""])[0] is OutcomeKind.RUN_ERROR
    else:
        assert explained.argv == ["/show"]
        assert run_output(engine, image, entrypoint=[override]) == (OutcomeKind.OK, "[/show]\n")


def test_a_shell_form_entrypoint_ignores_run_arguments(engine):
    image, facts = build_cell(engine, "shell", "none")
    explained = effective_command(facts.entrypoint, facts.cmd, ["ignored"])
    assert explained.ignored_by_shell == ["ignored"]
    assert run_output(engine, image, ["ignored"]) == (OutcomeKind.OK, "[/show]\n[e1]\n")
