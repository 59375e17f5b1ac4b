"""One image explained: its layers and what they waste, and the command Docker would run. What the pages, the JSON
API and `manage.py explain` all show, made in one place."""
from __future__ import annotations

from dataclasses import dataclass

from engine.dockerfile import DockerfileSyntaxError, parse
from engine.engine import Engine
from engine.facts import ImageFacts
from insight.command import EffectiveCommand, effective_command
from insight.layers import DockerfileStep, Exploration, explore
from insight.store import saved_image

TOP_WASTE = 20  # the wasted paths listed, largest first; the total counts them all


@dataclass
class Explanation:
    exploration: Exploration
    facts: ImageFacts
    command: EffectiveCommand

    def as_dict(self) -> dict:
        exploration = self.exploration
        waste = sorted(exploration.waste, key=lambda item: item.size, reverse=True)
        return {
            "layers": [layer.as_dict() for layer in exploration.layers],
            "size": exploration.size,
            "wasted_bytes": exploration.wasted_bytes,
            "efficiency": round(exploration.efficiency, 4),
            "waste": [{"path": item.path, "size": item.size, "layer": item.layer, "by": item.by, "how": item.how}
                      for item in waste[:TOP_WASTE]],
            **self.command.as_dict(),
        }


def dockerfile_steps(dockerfile: str | None) -> list[DockerfileStep]:
    """The instructions of the Dockerfile's last stage after its FROM, which made the image's newest history."""
    if not dockerfile:
        return []
    try:
        stages = parse(dockerfile).stages
    except DockerfileSyntaxError:
        return []
    return [DockerfileStep(instruction.as_written, instruction.line)
            for instruction in stages[-1].instructions] if stages else []


def explain(engine: Engine, image: str, *, dockerfile: str | None = None, run_args: list[str] | None = None,
            entrypoint: str | None = None) -> Explanation:
    facts = engine.inspect(image)
    return Explanation(
        explore(saved_image(engine, image), dockerfile_steps(dockerfile)),
        facts,
        effective_command(facts.entrypoint, facts.cmd, run_args, entrypoint),
    )
