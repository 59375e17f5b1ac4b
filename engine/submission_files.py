"""Reading a submission from a directory (for commands such as `grade`): regular files only, links never followed,
and which of them are executable."""
from collections.abc import Iterable
from pathlib import Path

from engine.rules import SubmissionRejected


def read_context_directory(root: Path) -> dict[str, bytes]:
    """Map each regular file under `root` to its bytes, keyed by its relative POSIX path.

    A symlink anywhere in the tree is rejected rather than followed: following it would copy a file of the
    server's own into the build context.
    """
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise SubmissionRejected("context-symlink", path=relative)
        if path.is_file():
            files[relative] = path.read_bytes()
    return files


def executable_files(root: Path, paths: Iterable[str]) -> frozenset[str]:
    """Those of `paths` (relative to `root`) whose file has an executable bit, as `docker build` sends them: a file
    git keeps as 100755 is checked out 0755, any other 0644."""
    return frozenset(path for path in paths if (root / path).stat().st_mode & 0o111)
