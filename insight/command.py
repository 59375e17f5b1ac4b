"""The effective command: what Docker executes for an image's Entrypoint and Cmd and the `docker run` arguments.

Docker's rule, as the daemon applies it when it creates a container: arguments after the image name replace Cmd;
`--entrypoint` replaces Entrypoint and then the image's Cmd is dropped (only the arguments follow it); the process
is Entrypoint followed by Cmd. Shell form is stored in the image as `["/bin/sh", "-c", "<text>"]` (or the SHELL of
the time), so a shell-form Entrypoint receives Cmd as `$0 $1 …` of the shell, which the command text ignores.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SHELLS = (["/bin/sh", "-c"], ["sh", "-c"], ["/bin/bash", "-c"], ["cmd", "/S", "/C"])


@dataclass(frozen=True)
class EffectiveCommand:
    argv: list[str] | None  # None: Docker refuses to start the image ("no command specified")
    entrypoint: list[str] | None  # what was in effect after `--entrypoint`
    cmd: list[str] | None  # likewise after the run arguments
    cmd_replaced_by_args: bool = False
    cmd_dropped_by_entrypoint: bool = False
    ignored_by_shell: list[str] = field(default_factory=list)  # words a shell-form command receives as $0, $1 …

    @property
    def no_command(self) -> bool:
        return self.argv is None

    def as_dict(self) -> dict:
        return {
            "argv": self.argv, "no_command": self.no_command, "entrypoint": self.entrypoint, "cmd": self.cmd,
            "cmd_replaced_by_args": self.cmd_replaced_by_args,
            "cmd_dropped_by_entrypoint": self.cmd_dropped_by_entrypoint,
            "shell_form": shell_text(self.argv) is not None, "ignored_by_shell": self.ignored_by_shell,
        }


def effective_command(entrypoint: list[str] | None, cmd: list[str] | None, args: list[str] | None = None,
                      entrypoint_override: str | None = None) -> EffectiveCommand:
    """`args`: the words after the image name (None or [] when there are none); `entrypoint_override`: the value of
    `--entrypoint` when given ("" resets the Entrypoint)."""
    dropped = False
    if entrypoint_override is not None:
        entrypoint, dropped = ([entrypoint_override] if entrypoint_override else None), bool(cmd)
        cmd = None
    replaced = bool(args) and bool(cmd)
    if args:
        cmd = list(args)
    argv = [*(entrypoint or []), *(cmd or [])] or None
    return EffectiveCommand(argv, entrypoint or None, cmd or None, replaced, dropped, _ignored_by_shell(argv))


def shell_text(argv: list[str] | None) -> str | None:
    """The command text when `argv` is a shell-form command (a shell's `-c` and the text), else None."""
    for shell in SHELLS:
        if argv and argv[:len(shell)] == shell and len(argv) > len(shell):
            return argv[len(shell)]
    return None


def _ignored_by_shell(argv: list[str] | None) -> list[str]:
    if shell_text(argv) is None:
        return []
    shell = next(shell for shell in SHELLS if argv[:len(shell)] == shell)
    return argv[len(shell) + 1:]
