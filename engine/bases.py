"""The course's base images on the engine: imported or pulled, labelled with their recipe, listed, and refused
when they carry ONBUILD triggers. `engine.images` decides what to build; this is how it lands on the daemon."""
from __future__ import annotations

import json
from typing import Any

from engine.build import relabel
from engine.client import Client, EngineUnavailable, engine_errors
from engine.inspect import Inspector
from engine.labels import LABEL_RECIPE, LABEL_ROLE, is_base, label_instruction


class BaseImageRefused(Exception):
    """An image the course will not build upon: its ONBUILD triggers would run in every build FROM it."""

    def __init__(self, image: str, triggers: list[str]):
        super().__init__(f"{image} has ONBUILD triggers ({'; '.join(triggers)}): they would run in every learner's "
                         "build, outside the exercise's checks. Use an image without ONBUILD.")


class BaseImages:
    """Puts the course's base images on one daemon and finds them there."""

    def __init__(self, client: Client, inspector: Inspector):
        self.client = client
        self.inspector = inspector

    def import_base_image(self, rootfs_tar: str, tag: str, *, changes: list[str], recipe: str) -> str:
        """Import a root filesystem tar as a course base image, labelled with its recipe digest."""
        labels = [label_instruction({LABEL_ROLE: "base", LABEL_RECIPE: recipe})]
        with engine_errors():
            reply = self.client.api.import_image_from_file(rootfs_tar, repository=tag, changes=changes + labels)
        status = json.loads(reply.strip().splitlines()[-1]) if isinstance(reply, str) else reply
        if "error" in status:
            raise EngineUnavailable(f"importing {tag} failed: {status['error']}")
        return self.inspector.inspect_raw(tag)["Id"]

    def pull_base_image(self, source: str, tag: str, *, recipe: str) -> str:
        """Use an official image (pulled when missing) as a course base image, relabelled under the course's name."""
        with engine_errors():
            if not self.inspector.image_exists(source):
                self.client.api.pull(source)
        self.refuse_onbuild(source)  # relabelling is a build FROM it, which would run the triggers
        relabel(self.client, source, tag, {LABEL_ROLE: "base", LABEL_RECIPE: recipe})
        return self.inspector.inspect_raw(tag)["Id"]

    def refuse_onbuild(self, image: str) -> None:
        """Raise BaseImageRefused if `image` carries ONBUILD triggers."""
        triggers = self.inspector.inspect_raw(image)["Config"].get("OnBuild") or []
        if triggers:
            raise BaseImageRefused(image, triggers)

    def base_images(self) -> list[dict[str, Any]]:
        with engine_errors():
            return [image for image in self.client.api.images(filters={"label": f"{LABEL_ROLE}=base",
                                                                       "dangling": False})
                    if is_base(image)]
