// The Publish panel, on exercises graded from the course registry: which attempt it publishes, the repository and
// tags (checked against the server's grammar as the learner types), and what became of the publish.
import { $, el } from "./dom.js";
import { kindLabel } from "./format.js";
import { endedWell } from "./outcomes.js";
import { compilePublishRules, publishProblem, publishTarget, referenceFor } from "./rules.js";

const FIELDS = { repository: "publish-repository", tags: "publish-tags" };
// Endings that say nothing about the files (a submit before publishing, a registry away): the source stays.
const NEUTRAL_OUTCOMES = new Set([
  "not_published", "registry_denied", "registry_quota", "registry_unavailable", "cancelled", "engine_unavailable",
  "internal_error", "disk_full",
]);

// app: {data, i18n, state, socket, live, messages, updateButtons}.
export function createPublish(app) {
  const { t, localize } = app.i18n;
  const destination = app.data.publish;
  const rules = compilePublishRules(app.data.rules.publish);
  // source: the try or submit whose files a publish builds; awaiting: a publish was sent and has no answer yet.
  const publishing = { source: null, awaiting: false };

  function target() {
    return publishTarget($(FIELDS.repository).value, $(FIELDS.tags).value);
  }

  function problemOf(value) {
    const problem = publishProblem(value, rules, destination);
    return problem && { field: FIELDS[problem.field], text: t(problem.key, problem.params) };
  }

  // Only names the registry would accept are previewed; while the typing breaks the grammar, the problem is said.
  function renderPreview() {
    const value = target();
    const problem = problemOf(value);
    showProblem(problem);
    $("publish-preview-label").hidden = Boolean(problem);
    $("publish-preview").replaceChildren(...(problem ? [] : value.tags.map((tag) => el("li", {},
      el("code", { text: referenceFor(destination, value.repository, tag) })))));
  }

  function showProblem(problem) {
    $("publish-error").textContent = problem ? problem.text : "";
    for (const id of Object.values(FIELDS)) {
      if (problem && problem.field === id) $(id).setAttribute("aria-invalid", "true");
      else $(id).removeAttribute("aria-invalid");
    }
  }

  function publishNow(event) {
    event.preventDefault();
    if (!publishing.source || $("publish-button").disabled) return;
    const value = target();
    const problem = problemOf(value);
    showProblem(problem);
    if (problem) {
      $(problem.field).focus();
      return;
    }
    app.messages.clear();
    if (app.socket.send({ type: "publish", attempt: publishing.source.id, repository: value.repository, tags: value.tags })) {
      app.state.pendingStart = true;
      publishing.awaiting = true;
      setStatus(t("sending"));
    }
    app.updateButtons();
  }

  function setStatus(text) {
    $("publish-status").textContent = text;
  }

  function setSource(id, kind, number) {
    if (!destination.enabled) return;
    const changed = !publishing.source || publishing.source.id !== id;
    publishing.source = { id, kind };
    const shown = number || app.history.numberOfId(id);
    $("publish-source").textContent = t("publishSource", { id: shown, kind: kindLabel(t, kind) });
    $("publish-panel").hidden = false;
    if (changed) setStatus(t("publishReady", { id: shown }));
    app.updateButtons();
  }

  function clearSource() {
    publishing.source = null;
    $("publish-panel").hidden = true;
    setStatus("");
    app.updateButtons();
  }

  function onAccepted(frame) {
    if (frame.kind !== "publish") return;
    publishing.awaiting = false;
    setStatus(t("publishRunning", { id: frame.number || frame.attempt }));
  }

  // A try or submit that worked becomes what the panel publishes; one that failed to build or run takes the panel
  // away, since the files now in the editor do not work. Kind unknown (a reload mid-attempt): the history decides.
  function afterResult(attempt, event) {
    const outcome = event.outcome ? event.outcome.kind : null;
    if (attempt.kind === "publish") announceResult(attempt.id, event);
    else if (!attempt.kind || NEUTRAL_OUTCOMES.has(outcome)) app.updateButtons();
    else if (outcome === "ok") setSource(attempt.id, attempt.kind, attempt.number);
    else clearSource();
  }

  function announceResult(id, event) {
    if (publishing.source === null) return;
    if (event.status === "cancelled") {
      setStatus(t("publishCancelled"));
    } else if (event.outcome && event.outcome.kind === "ok") {
      const live = app.live.current;
      const references = live && live.id === id
        ? live.events.filter((item) => item.type === "published").map((item) => item.reference) : [];
      setStatus(t("publishDone", { id: event.number || id, references: references.join(", ") }));
    } else {
      setStatus(t("publishFailed", { message: localize(event.outcome && event.outcome.message) }));
    }
  }

  // After a reload, the same choice from the history: the newest try or submit whose ending says something about
  // its files is what the panel publishes, if it worked.
  function fromHistory(list) {
    if (publishing.source) return;
    const telling = list.find((item) => (item.kind === "try" || item.kind === "submit")
      && !["queued", "running", "cancelled"].includes(item.status) && !NEUTRAL_OUTCOMES.has(item.outcome));
    if (telling && telling.outcome === "ok") setSource(telling.id, telling.kind, telling.number);
  }

  // A successful try or submit opened from the history can be published as well.
  function fromStored(attempt) {
    if (attempt.kind !== "try" && attempt.kind !== "submit") return;
    if (endedWell((attempt.events || []).find((event) => event.type === "result"))) setSource(attempt.id, attempt.kind, attempt.number);
  }

  // An error frame that answers a publish is said next to the form. Returns whether it was one.
  function refused(frame, attempt) {
    if (!publishing.awaiting || frame.code === "busy") {
      publishing.awaiting = false;
      return false;
    }
    if (attempt !== null && !(publishing.source && attempt === publishing.source.id)) return false;
    publishing.awaiting = false;
    app.state.pendingStart = false;
    setStatus("");
    $("publish-error").textContent = localize(frame.message) || t("errorCode", { code: frame.code });
    app.updateButtons();
    return true;
  }

  $(FIELDS.repository).value = destination.repository || "";
  $(FIELDS.tags).value = destination.tags || "latest";
  $("publish-form").addEventListener("submit", publishNow);
  for (const id of Object.values(FIELDS)) $(id).addEventListener("input", renderPreview);
  renderPreview();

  return {
    onAccepted, afterResult, announceResult, fromHistory, fromStored, refused,
    stopAwaiting: () => { publishing.awaiting = false; },
    get source() { return publishing.source; },
  };
}
