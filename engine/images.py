"""The course's base images, built on this machine without any container registry.

    layerlab/busybox   Debian's busybox-static: a shell and coreutils in a couple of MB
    layerlab/python    debootstrap --variant=minbase bookworm + python3
    layerlab/golang    debootstrap --variant=minbase bookworm + golang-go (Go 1.19), for multi-stage builds

Each image has a world-writable /tmp (1777) and a non-root user `learner` (1000:1000), and is labelled with the
digest of its recipe: an image whose recipe has not changed is not rebuilt. `SANDBOX_BASE_IMAGE_SOURCES` may map
a course name to an official image to pull instead (for deployments that can reach Docker Hub). An image with
ONBUILD triggers is refused, built, pulled or found: the triggers would run in every learner's build.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.engine import LABEL_RECIPE, BaseImageRefused, Engine

RECIPE_VERSION = 1  # bump to rebuild every base image after changing how rootfs trees are made
DEBIAN_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LEARNER_UID = 1000


@dataclass(frozen=True)
class Recipe:
    name: str
    kind: str  # "busybox" or "debootstrap"
    packages: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    host_packages: tuple[str, ...] = field(default=())  # Debian packages on the host whose version is baked in

    def digest(self) -> str:
        described = {
            "version": RECIPE_VERSION,
            "name": self.name,
            "kind": self.kind,
            "suite": DEBIAN_SUITE,
            "packages": self.packages,
            "changes": self.changes,
            "host": {package: host_package_version(package) for package in self.host_packages},
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:32]


RECIPES = (
    Recipe(
        "layerlab/busybox",
        "busybox",
        changes=(f"ENV {PATH_ENV}", 'CMD ["sh"]'),
        host_packages=("busybox-static",),
    ),
    Recipe(
        "layerlab/python",
        "debootstrap",
        packages=("python3",),
        changes=(f"ENV {PATH_ENV}", "ENV LANG=C.UTF-8", 'CMD ["python3"]'),
    ),
    Recipe(
        "layerlab/golang",
        "debootstrap",
        packages=("golang-go",),
        # No C compiler in the image: cgo off makes every binary static, so it runs FROM scratch or busybox.
        changes=(f"ENV {PATH_ENV}", "ENV LANG=C.UTF-8", "ENV CGO_ENABLED=0", 'CMD ["go", "version"]'),
    ),
)


def host_package_version(package: str) -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "absent"


def recipe_named(name: str) -> Recipe:
    for recipe in RECIPES:
        if recipe.name == name:
            return recipe
    raise KeyError(f"no base image called {name}; known: {', '.join(r.name for r in RECIPES)}")


def ensure_base_image(
    engine: Engine,
    recipe: Recipe,
    *,
    sources: dict[str, str],
    work_dir: Path,
    force: bool = False,
    say: Callable[[str], None] = print,
) -> str:
    """Make sure `recipe` exists on the engine. Returns "up to date", "pulled" or "built"; raises BaseImageRefused,
    leaving no image of that name, if the image has ONBUILD triggers."""
    status = _ensure(engine, recipe, sources=sources, work_dir=work_dir, force=force, say=say)
    try:
        engine.refuse_onbuild(recipe.name)
    except BaseImageRefused:
        engine.untag(recipe.name)
        raise
    return status


def _ensure(engine: Engine, recipe: Recipe, *, sources: dict[str, str], work_dir: Path, force: bool,
            say: Callable[[str], None]) -> str:
    digest = recipe.digest()
    if not force and _current_recipe(engine, recipe.name) == digest:
        return "up to date"
    if recipe.name in sources:
        say(f"{recipe.name}: using {sources[recipe.name]}")
        engine.pull_base_image(sources[recipe.name], recipe.name, recipe=digest)
        return "pulled"
    say(f"{recipe.name}: building the root filesystem")
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="rootfs-") as scratch:
        tar_path = _make_rootfs_tar(recipe, Path(scratch), work_dir)
        engine.import_base_image(str(tar_path), recipe.name, changes=list(recipe.changes), recipe=digest)
    return "built"


def _current_recipe(engine: Engine, name: str) -> str | None:
    if not engine.image_exists(name):
        return None
    return (engine.inspect_raw(name).get("Config") or {}).get("Labels", {}).get(LABEL_RECIPE)


def _make_rootfs_tar(recipe: Recipe, scratch: Path, work_dir: Path) -> Path:
    root = scratch / "rootfs"
    root.mkdir()
    if recipe.kind == "busybox":
        _busybox_tree(root)
    else:
        _debootstrap_tree(root, recipe.packages, cache=work_dir / "debootstrap-cache")
    _add_learner_user(root)
    (root / "tmp").mkdir(exist_ok=True)
    os.chmod(root / "tmp", 0o1777)
    tar_path = scratch / "rootfs.tar"
    # Device nodes are left out: Docker gives every container its own /dev.
    subprocess.run(
        ["tar", "-C", str(root), "--numeric-owner", "--exclude=./dev/*", "-cf", str(tar_path), "."],
        check=True,
    )
    return tar_path


def _busybox_tree(root: Path) -> None:
    busybox = shutil.which("busybox") or "/bin/busybox"
    (root / "bin").mkdir()
    shutil.copy2(busybox, root / "bin" / "busybox")
    applets = subprocess.run([busybox, "--list-full"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        link = root / applet
        if link.exists():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to("/bin/busybox")
    for directory in ("etc", "root", "home", "var/tmp", "dev", "proc", "sys"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\n")
    os.chmod(root / "root", 0o700)


def _debootstrap_tree(root: Path, packages: tuple[str, ...], *, cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    mirror = os.environ.get("LAYERLAB_DEBIAN_MIRROR", DEFAULT_MIRROR)
    subprocess.run(
        [
            "debootstrap", "--variant=minbase", f"--include={','.join(packages)}", f"--cache-dir={cache}",
            DEBIAN_SUITE, str(root), mirror,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Package caches and lists make the image bigger and are useless without a network.
    for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for path in (root / leftover).glob("*"):
            if path.is_file():
                path.unlink()


def _add_learner_user(root: Path) -> None:
    """The non-root user containers run as by default, written straight into the image's account files."""
    home = root / "home" / "learner"
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, LEARNER_UID, LEARNER_UID)
    shell = "/bin/bash" if (root / "bin" / "bash").exists() else "/bin/sh"
    with open(root / "etc" / "passwd", "a") as passwd:
        passwd.write(f"learner:x:{LEARNER_UID}:{LEARNER_UID}:Layerlab learner:/home/learner:{shell}\n")
    with open(root / "etc" / "group", "a") as group:
        group.write(f"learner:x:{LEARNER_UID}:\n")
    shadow = root / "etc" / "shadow"
    if shadow.exists():
        with open(shadow, "a") as file:
            file.write("learner:!:19000:0:99999:7:::\n")
