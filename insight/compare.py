"""An attempt's image beside the exercise's reference solution: layer count, size per layer, config, and files in
one and not the other, each with one line on why it matters."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from engine.facts import ImageFacts
from engine.messages import both
from insight.explain import Explanation

LISTED_FILES = 50  # paths listed per side; the counts count them all
CONFIG_FIELDS = {  # ImageFacts field -> why a difference there matters
    "cmd": _("CMD is what runs when no arguments are given: a different one starts a different program."),
    "entrypoint": _("ENTRYPOINT is the fixed part of the command: run arguments are appended to it."),
    "working_dir": _("WORKDIR is where relative paths of later steps and of the command start."),
    "env": _("ENV values are seen by every later step and by the container."),
    "user": _("USER decides which user the container runs as, and what it may write."),
    "exposed_ports": _("EXPOSE documents the ports the program listens on."),
    "labels": _("LABELs are metadata that tools and registries read."),
}
WHY = {
    "layers": _("Every filesystem layer is a step to rebuild when it changes and a part to download."),
    "size": _("Bigger layers take longer to build, push and pull."),
    "only_mine": _("Files only your image has: leftovers of a build step, or files copied by mistake."),
    "only_reference": _("Files only the reference has: something your image is missing."),
}


def compare(mine: Explanation, reference: Explanation) -> dict:
    my_layers, their_layers = _filesystem_layers(mine), _filesystem_layers(reference)
    my_paths, their_paths = _files(mine), _files(reference)
    only_mine, only_theirs = sorted(my_paths - their_paths), sorted(their_paths - my_paths)
    return {
        "layers": {"mine": len(my_layers), "reference": len(their_layers), "why": both(WHY["layers"])},
        "sizes": {"mine": my_layers, "reference": their_layers, "why": both(WHY["size"])},
        "config": _config_differences(mine.facts, reference.facts),
        "only_mine": {"count": len(only_mine), "paths": only_mine[:LISTED_FILES], "why": both(WHY["only_mine"])},
        "only_reference": {"count": len(only_theirs), "paths": only_theirs[:LISTED_FILES],
                           "why": both(WHY["only_reference"])},
    }


def _filesystem_layers(explanation: Explanation) -> list[dict]:
    return [{"instruction": layer.instruction, "size": layer.size}
            for layer in explanation.exploration.layers if not layer.metadata_only]


def _files(explanation: Explanation) -> set[str]:
    return {path for path, entry in explanation.exploration.union.items() if entry.kind != "dir"}


def _config_differences(mine: ImageFacts, reference: ImageFacts) -> list[dict]:
    return [{"field": name, "mine": getattr(mine, name), "reference": getattr(reference, name), "why": both(why)}
            for name, why in CONFIG_FIELDS.items() if getattr(mine, name) != getattr(reference, name)]
