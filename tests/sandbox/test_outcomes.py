"""Every outcome has a plain message in English and Chinese that carries its numbers."""
import pytest

from engine.outcomes import MESSAGES, Outcome, OutcomeKind, rejected
from engine.rules import SubmissionRejected

DETAILS = {
    OutcomeKind.OK: {},
    OutcomeKind.BUILD_ERROR: {"step": 3, "line": 4, "instruction": "RUN make", "reason": "make: not found"},
    OutcomeKind.RUN_ERROR: {"reason": "chdir to cwd (\"/srv/app\") set in config.json failed: not a directory."},
    OutcomeKind.OUT_OF_MEMORY: {"limit_mb": 256},
    OutcomeKind.TIME_LIMIT: {"limit_s": 10},
    OutcomeKind.PROCESS_LIMIT: {"limit": 128},
    OutcomeKind.OUTPUT_TRUNCATED: {"limit_kb": 256, "limit_lines": 5000, "kept_lines": 4999, "kept_kb": 12},
    OutcomeKind.DISK_LIMIT: {"limit_mb": 1024},
    OutcomeKind.FILE_SIZE_LIMIT: {"limit_mb": 512},
    OutcomeKind.DISK_FULL: {},
    OutcomeKind.ENGINE_UNAVAILABLE: {},
    OutcomeKind.CANCELLED: {},
    OutcomeKind.NOT_PUBLISHED: {"reference": "127.0.0.1:5000/alice/hello:1.0"},
    OutcomeKind.REGISTRY_DENIED: {"reference": "127.0.0.1:5000/bob/hello:1.0", "reason": "denied: no."},
    OutcomeKind.REGISTRY_QUOTA: {"used_mb": "201.5", "quota_mb": 200},
    OutcomeKind.REGISTRY_UNAVAILABLE: {},
    OutcomeKind.INTERNAL_ERROR: {"error_id": "3f2a9c1e"},
}


def test_every_kind_but_rejected_has_messages_in_both_languages():
    assert set(MESSAGES) == set(OutcomeKind) - {OutcomeKind.REJECTED}
    assert set(DETAILS) == set(MESSAGES)


@pytest.mark.parametrize("kind", sorted(DETAILS))
@pytest.mark.parametrize("phase", ["build", "run", "push", "pull"])
def test_messages_carry_their_numbers(kind, phase):
    outcome = Outcome(kind, phase, DETAILS[kind])
    english, chinese = outcome.message("en"), outcome.message("zh-hans")
    for value in DETAILS[kind].values():
        assert str(value) in english and str(value) in chinese
    assert english != chinese


def test_the_phase_is_named():
    assert Outcome(OutcomeKind.TIME_LIMIT, "run", {"limit_s": 5}).message().startswith("The container took")
    assert Outcome(OutcomeKind.TIME_LIMIT, "build", {"limit_s": 5}).message("zh").startswith("构建超过")


def test_a_rejection_speaks_with_its_rules_words():
    outcome = rejected(SubmissionRejected("add-url", line=2, source="https://example.org/a.tgz"))
    assert outcome.kind is OutcomeKind.REJECTED
    assert "https://example.org/a.tgz" in outcome.message()
    assert outcome.as_dict()["detail"] == {"line": 2, "source": "https://example.org/a.tgz", "rule": "add-url"}
    assert set(outcome.as_dict()["message"]) == {"en", "zh-hans"}


def test_other_languages_fall_back_to_english():
    outcome = Outcome(OutcomeKind.OUT_OF_MEMORY, "run", {"limit_mb": 64})
    assert outcome.message("fr") == outcome.message("en")
