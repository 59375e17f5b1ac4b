from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engine.engine import LABEL_RECIPE, Engine, EngineUnavailable
from engine.images import RECIPES
from engine.limits import MB, SandboxLimits
from engine.rules import SubmissionLimits


def cgroup_ceilings(name: str) -> dict[str, str]:
    """The sandbox-wide ceilings of the engine's parent cgroup, when the engine runs on this machine."""
    root = Path("/sys/fs/cgroup")
    candidates = {
        "pids.max": [root / name / "pids.max", root / "pids" / name / "pids.max"],
        "memory": [root / name / "memory.max", root / "memory" / name / "memory.limit_in_bytes"],
    }
    found = {}
    for label, paths in candidates.items():
        for path in paths:
            if path.exists():
                found[label] = path.read_text().strip()
                break
    return found


class Command(BaseCommand):
    help = "Check that the sandbox engine answers; print its version, the limits in force and the base images."

    def handle(self, *args, **options):
        engine = Engine.from_settings()
        try:
            version, info = engine.version(), engine.info()
            images = {tag: image for image in engine.base_images() for tag in image.get("RepoTags") or []}
        except EngineUnavailable as error:
            raise CommandError(
                f"The sandbox engine is not reachable at {settings.SANDBOX_DOCKER_HOST}: {error}\n"
                "Start it with `scripts/sandbox-engine start`, or point SANDBOX_DOCKER_HOST at a running engine."
            ) from None
        self._engine(version, info)
        self._limits()
        missing = self._images(images)
        if missing:
            raise CommandError(f"Missing base images: {', '.join(missing)}. Run `python manage.py sandbox_images`.")

    def _engine(self, version: dict, info: dict) -> None:
        self.stdout.write(f"Engine: Docker {version.get('Version')} (API {version.get('ApiVersion')}) "
                          f"at {settings.SANDBOX_DOCKER_HOST}")
        self.stdout.write(f"  storage {info.get('Driver')} in {info.get('DockerRootDir')}, "
                          f"cgroup v{info.get('CgroupVersion')} ({info.get('CgroupDriver')})")
        security = ", ".join(option.split(",")[0].removeprefix("name=") for option in info.get("SecurityOptions", []))
        self.stdout.write(f"  security: {security or 'none reported'}")
        ceilings = cgroup_ceilings(settings.SANDBOX_CGROUP)
        if ceilings:
            shown = ", ".join(f"{key} {value}" for key, value in ceilings.items())
            self.stdout.write(f"  sandbox-wide cgroup /{settings.SANDBOX_CGROUP}: {shown}")

    def _limits(self) -> None:
        limits, submission = SandboxLimits.from_settings(), SubmissionLimits()
        self.stdout.write("Limits per build step / container:")
        self.stdout.write(f"  build {limits.build_timeout:g} s, run {limits.run_timeout:g} s, "
                          f"memory {limits.memory_mb} MB (no swap), processes {limits.pids}, "
                          f"CPU {limits.cpus_milli / 1000:g} core(s) / {limits.cpu_shares} shares")
        self.stdout.write(f"  output {limits.output_kb} KB, build layer {limits.build_disk_mb} MB, "
                          f"file {limits.file_size_mb} MB, /tmp {limits.tmpfs_mb} MB, run as {limits.run_user}")
        self.stdout.write(f"  submission: Dockerfile {submission.max_dockerfile_bytes // 1024} KiB / "
                          f"{submission.max_instructions} instructions, context {submission.max_context_files} files / "
                          f"{submission.max_context_bytes // MB} MB; network: none")

    def _images(self, images: dict[str, dict]) -> list[str]:
        self.stdout.write("Base images:")
        missing = []
        for recipe in RECIPES:
            image = images.get(f"{recipe.name}:latest")
            if image is None:
                missing.append(recipe.name)
                self.stdout.write(f"  {recipe.name}: missing")
                continue
            current = (image.get("Labels") or {}).get(LABEL_RECIPE) == recipe.digest()
            self.stdout.write(f"  {recipe.name}: {image['Id'][7:19]} {image['Size'] / MB:.1f} MB"
                              f"{'' if current else ' (recipe changed: run sandbox_images)'}")
        return missing
