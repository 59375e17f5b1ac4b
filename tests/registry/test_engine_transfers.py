"""The engine's push and pull against the course registry, with the credentials the site hands the daemon."""
import pytest

from engine.facts import LayerProgress
from engine.outcomes import OutcomeKind
from registry import registry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]
HELLO = 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'


def transfer(stream):
    events = list(stream)
    return [event for event in events if isinstance(event, LayerProgress)], events[-1]


def test_push_then_pull_by_digest_gives_a_labelled_image_that_runs(engine, registry_settings, learner):
    learner("olivia")
    built = engine.build_ok(HELLO)
    reference = registry.reference("olivia", "hello", "1.0")
    layers, pushed = transfer(engine.push(built.image, reference, credentials=registry.service_credentials("olivia")))
    assert pushed.outcome.ok, pushed.outcome.message()
    assert pushed.digest.startswith("sha256:")
    assert {event.status for event in layers} & {"Pushed", "Layer already exists"}
    assert not engine.image_exists(reference), "the registry tag is removed after the push"

    by_digest = registry.reference("olivia", "hello", pushed.digest)
    _, pulled = transfer(engine.pull(by_digest, credentials=registry.service_credentials("olivia"), attempt_id="t1"))
    assert pulled.outcome.ok, pulled.outcome.message()
    engine.builds.append(type(built)(pulled.outcome, image=pulled.image))
    assert not engine.image_exists(by_digest)
    assert engine.inspect_raw(pulled.image)["Config"]["Labels"]["org.layerlab.sandbox.role"] == "attempt"
    _, ran = engine.run(pulled.image)
    assert ran.stdout == "hello\n"


def test_a_push_outside_the_namespace_is_denied_with_the_registrys_words(engine, registry_settings, learner):
    learner("peggy")
    built = engine.build_ok(HELLO)
    result = list(engine.push(built.image, registry.reference("victor", "hello", "1.0"),
                              credentials=registry.service_credentials("peggy")))[-1]
    assert result.outcome.kind is OutcomeKind.REGISTRY_DENIED
    assert "denied" in result.outcome.message().lower()


def test_a_missing_digest_is_not_published(engine, registry_settings, learner):
    learner("quentin")
    missing = registry.reference("quentin", "hello", "sha256:" + "0" * 64)
    result = list(engine.pull(missing, credentials=registry.service_credentials("quentin")))[-1]
    assert result.outcome.kind is OutcomeKind.NOT_PUBLISHED, result.outcome.message()


def test_a_registry_that_does_not_answer_is_unavailable_not_the_learners_fault(engine, registry_settings, learner):
    learner("rupert")
    registry_settings.REGISTRY_HOST = "127.0.0.1:9"
    built = engine.build_ok(HELLO)
    result = list(engine.push(built.image, registry.reference("rupert", "hello", "1.0"),
                              credentials=registry.service_credentials("rupert")))[-1]
    assert result.outcome.kind is OutcomeKind.REGISTRY_UNAVAILABLE, result.outcome.message()


def test_an_image_with_onbuild_triggers_is_refused_not_built_upon(engine, registry_settings, learner, cli, tmp_path):
    learner("sybil")
    context = tmp_path / "onbuild"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM layerlab/busybox\nONBUILD RUN echo triggered\n")
    reference = registry.reference("sybil", "trap", "1.0")
    cli("build", "-t", reference, str(context), check=True)
    cli("login", registry_settings.REGISTRY_HOST, "-u", "sybil", "-p", "sybil-site-password", check=True)
    cli("push", reference, check=True)
    digest = registry.RegistryClient().digest("sybil/trap", "1.0")
    result = list(engine.pull(registry.reference("sybil", "trap", digest),
                              credentials=registry.service_credentials("sybil")))[-1]
    assert result.outcome.kind is OutcomeKind.REJECTED and result.image is None
    assert "ONBUILD" in result.outcome.message()


def test_a_pull_left_behind_by_a_crash_is_reaped(engine, registry_settings, learner, cli):
    learner("tess")
    built = engine.build_ok(HELLO)
    reference = registry.reference("tess", "hello", "1.0")
    pushed = list(engine.push(built.image, reference, credentials=registry.service_credentials("tess")))[-1]
    by_digest = registry.reference("tess", "hello", pushed.digest)
    engine.discard(built)
    cli("login", registry_settings.REGISTRY_HOST, "-u", "tess", "-p", "tess-site-password", check=True)
    cli("pull", by_digest, check=True)  # what a pull looks like before the sandbox adopts and untags it
    assert engine.image_exists(by_digest)
    engine.reap(older_than=0)
    assert not engine.image_exists(by_digest)
