"""The limits every sandbox build and run is held to, read once from Django settings, and what the editor may send.

Settings (all integers; see layerlab/settings.py for defaults):
    SANDBOX_BUILD_TIMEOUT   wall-clock seconds for a whole build
    SANDBOX_RUN_TIMEOUT     wall-clock seconds for one run (the default; a caller may pass a shorter one)
    SANDBOX_MEMORY_MB       memory for a build step or a container; swap is not allowed on top
    SANDBOX_CPU_SHARES      relative CPU weight of build steps
    SANDBOX_CPUS_MILLI      CPU time of a running container, in thousandths of a core
    SANDBOX_PIDS            processes one build step or one container may have at once
    SANDBOX_OUTPUT_KB       output kept from a build or run before it is cut off and stopped
    SANDBOX_OUTPUT_LINES    lines kept from a build or run before it is cut off and stopped
    SANDBOX_BUILD_DISK_MB   bytes a build step may write to its layer before it is stopped
    SANDBOX_FILE_SIZE_MB    largest single file a process may write (ulimit fsize)
    SANDBOX_TMPFS_MB        size of the writable /tmp of a running container (the rest of its root is read-only)
    SANDBOX_RUN_USER        user:group containers run as, unless an exercise opts in to root
"""
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings

MB = 1024 * 1024  # one megabyte, wherever Layerlab counts or prints sizes: 1024², as Docker counts memory


def kilobytes(size: int) -> int:
    """`size` bytes in whole KB, rounded up, as a message shows a size: a byte over a limit never reads as equal."""
    return (size + 1023) // 1024


@dataclass(frozen=True)
class SandboxLimits:
    build_timeout: float = 120
    run_timeout: float = 10
    memory_mb: int = 512
    cpu_shares: int = 512
    cpus_milli: int = 1000
    pids: int = 128
    output_kb: int = 256
    output_lines: int = 5000
    build_disk_mb: int = 1024
    file_size_mb: int = 512
    tmpfs_mb: int = 64
    nofile: int = 1024
    run_user: str = "1000:1000"

    @classmethod
    def from_settings(cls) -> "SandboxLimits":
        return cls(
            build_timeout=settings.SANDBOX_BUILD_TIMEOUT,
            run_timeout=settings.SANDBOX_RUN_TIMEOUT,
            memory_mb=settings.SANDBOX_MEMORY_MB,
            cpu_shares=settings.SANDBOX_CPU_SHARES,
            cpus_milli=settings.SANDBOX_CPUS_MILLI,
            pids=settings.SANDBOX_PIDS,
            output_kb=settings.SANDBOX_OUTPUT_KB,
            output_lines=settings.SANDBOX_OUTPUT_LINES,
            build_disk_mb=settings.SANDBOX_BUILD_DISK_MB,
            file_size_mb=settings.SANDBOX_FILE_SIZE_MB,
            tmpfs_mb=settings.SANDBOX_TMPFS_MB,
            run_user=settings.SANDBOX_RUN_USER,
        )

    def capped_at(self, **caps: float) -> "SandboxLimits":
        """A copy where each named limit is the smaller of this one and its cap: an exercise (or a test) may
        tighten the operator's limits, never loosen them."""
        return replace(self, **{name: min(getattr(self, name), cap) for name, cap in caps.items()})

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * MB

    @property
    def output_bytes(self) -> int:
        return self.output_kb * 1024

    @property
    def log_kb(self) -> int:
        """The daemon's own log of a container: a little more than the output kept, never unbounded."""
        return max(self.output_kb, 64)

    def ulimits(self) -> list[dict[str, int | str]]:
        """Per-process limits in the Docker API's shape. nproc counts per container because of userns-remap."""
        file_size = self.file_size_mb * MB
        return [
            {"Name": "nofile", "Soft": self.nofile, "Hard": self.nofile},
            {"Name": "nproc", "Soft": self.pids, "Hard": self.pids},
            {"Name": "core", "Soft": 0, "Hard": 0},
            {"Name": "fsize", "Soft": file_size, "Hard": file_size},
        ]


@dataclass(frozen=True)
class EditorLimits:
    """What one try, submit or draft may carry: the editor enforces the same limits, and they are tighter than the
    sandbox's own (engine.rules.SubmissionLimits), which also serve files read from disk."""

    max_files: int = 20
    max_file_bytes: int = 64 * 1024
    max_total_bytes: int = 256 * 1024
    max_name_length: int = 200
    # What a file name may not hold: what a build context cannot (an absolute path, a backslash, an empty, "." or
    # ".." part), and control characters, which a tab cannot show.
    forbidden_characters: str = "\\" + "".join(map(chr, range(0x20))) + "\x7f"
    forbidden_parts: tuple[str, ...] = ("", ".", "..")

    def allows_name(self, name: str) -> bool:
        return (len(name) <= self.max_name_length and not any(c in self.forbidden_characters for c in name)
                and not name.startswith("/") and not any(part in self.forbidden_parts for part in name.split("/")))

    def as_dict(self) -> dict[str, Any]:
        """Every limit and file-name rule, for the page to check the same before it sends anything."""
        return {"max_files": self.max_files, "max_file_bytes": self.max_file_bytes,
                "max_total_bytes": self.max_total_bytes, "max_name_length": self.max_name_length,
                "forbidden_characters": self.forbidden_characters, "forbidden_parts": list(self.forbidden_parts)}


EDITOR_LIMITS = EditorLimits()
