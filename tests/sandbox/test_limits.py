"""An exercise may tighten the operator's limits, never loosen them."""
from types import SimpleNamespace

from engine.limits import MB, SandboxLimits
from grading.runner import GradingSpec

OPERATOR = SandboxLimits(memory_mb=512, run_timeout=10, pids=128)


def spec_asking(**limits) -> GradingSpec:
    return GradingSpec("an-exercise", ["layerlab/busybox"], [], limits)


def test_an_exercise_asking_for_less_gets_less():
    limits = spec_asking(memory_mb=256, run_timeout=5).limits_on(SimpleNamespace(limits=OPERATOR))
    assert (limits.memory_mb, limits.run_timeout, limits.pids) == (256, 5, 128)


def test_an_exercise_asking_for_more_than_the_operator_allows_is_capped():
    limits = spec_asking(memory_mb=768, pids=64).limits_on(SimpleNamespace(limits=OPERATOR))
    assert (limits.memory_mb, limits.pids) == (512, 64)
    assert limits.memory_bytes == 512 * 1024 * 1024


def test_what_an_exercise_asks_above_the_operators_limits_is_named_for_validate_course():
    assert spec_asking(memory_mb=768, run_timeout=5, pids=128).limits_above(OPERATOR) == {"memory_mb": (768, 512)}


def test_limits_not_named_keep_the_operators_values():
    assert OPERATOR.capped_at() == OPERATOR
    assert OPERATOR.capped_at(pids=1000).pids == 128


def test_a_megabyte_is_1024_squared_bytes_everywhere():
    file_size = next(limit for limit in OPERATOR.ulimits() if limit["Name"] == "fsize")
    assert MB == 1_048_576
    assert file_size["Hard"] == OPERATOR.file_size_mb * 1_048_576
