// The learner's attempts: the table, a stored attempt opened read-only (its files, its output replayed in the
// output pane), its differences from the editor or another attempt, and restoring its files.
import { compareFiles } from "./diff.js";
import { $, el } from "./dom.js";
import { createEditor, languageFor } from "./editor.js";
import { DOCKERFILE, kindLabel, orderedNames } from "./format.js";
import { insightLink } from "./insight-events.js";
import { executableMark } from "./modes.js";
import { historyOutcome } from "./outcomes.js";
import { createTabSet } from "./tabs.js";

// app: {data, i18n, workspace, output, live, publish, messages, dialogs}.
export function createHistory(app) {
  const { t } = app.i18n;
  const attempts = { list: [], loads: 0, details: new Map(), viewer: null, viewerEditors: new Map() };
  const viewerTabs = createTabSet($("attempt-file-tabs"), $("attempt-file-panels"), (name) => {
    const editor = attempts.viewerEditors.get(name);
    if (editor) editor.refresh();
  }, "attempt-file");

  const getJson = async (url) => {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  };

  // What the learner calls an attempt: its number (their first at the exercise is #1); the id is the key.
  const numberOf = (attempt) => attempt.number || attempt.id;
  const numberOfId = (id) => numberOf(attempts.list.find((item) => item.id === id) || { id });

  function attemptUrl(id) {
    return app.data.urls.attempt.replace(/\/0(\/?)$/, `/${encodeURIComponent(id)}$1`);
  }

  async function load() {
    const status = $("history-status");
    // Two loads can overlap (one on "accepted", one on "result"); only the newest request may fill the table.
    const serial = ++attempts.loads;
    try {
      const data = await getJson(app.data.urls.attempts);
      if (serial !== attempts.loads) return;
      attempts.list = Array.isArray(data.attempts) ? data.attempts : [];
      status.textContent = attempts.list.length ? "" : t("historyEmpty");
      render();
      app.publish.fromHistory(attempts.list);
      app.live.learnKind(attempts.list);
      app.live.showProgress(attempts.list);
    } catch (error) {
      if (serial === attempts.loads) status.textContent = t("historyError");
    }
  }

  function render() {
    const rows = attempts.list.map((item) => {
      const isOpen = attempts.viewer && attempts.viewer.id === item.id;
      const score = Number.isInteger(item.score) && Number.isInteger(item.max_score) ? `${item.score}/${item.max_score}` : "–";
      return el("tr", { class: item.passed === true ? "passed" : "", "aria-current": isOpen ? "true" : null },
        el("th", { scope: "row", text: `#${numberOf(item)}` }),
        el("td", { text: kindLabel(t, item.kind) }),
        el("td", { text: historyOutcome(t, item) }),
        el("td", { class: "num", text: score }),
        el("td", {}, el("time", { datetime: item.created_at, text: app.i18n.time(item.created_at) })),
        el("td", {}, el("button", {
          type: "button", text: t("open"), "aria-label": t("openAttempt", { id: numberOf(item) }), onclick: () => open(item.id),
        })));
    });
    $("history-list").replaceChildren(...rows);
    $("history-table").hidden = !rows.length;
    fillCompareChoices();
  }

  // Only an ended attempt is fixed for good; a running one is asked again next time.
  async function fetchAttempt(id) {
    if (attempts.details.has(id)) return attempts.details.get(id);
    const attempt = await getJson(attemptUrl(id));
    if (!["queued", "running"].includes(attempt.status)) attempts.details.set(id, attempt);
    return attempt;
  }

  async function open(id) {
    let attempt;
    try {
      attempt = await fetchAttempt(id);
    } catch (error) {
      app.messages.show(t("attemptLoadError", { id: numberOfId(id) }), "error");
      return;
    }
    attempts.viewer = attempt;
    renderViewer(attempt);
    render();
    replay(attempt);
    app.publish.fromStored(attempt);
    $("attempt-view-title").focus();
  }

  // On a return visit with nothing running: the last attempt's output and result, as it ended.
  async function showLast(id) {
    try {
      const attempt = await fetchAttempt(id);
      if (!app.live.current) replay(attempt);
    } catch (error) {
      // The pane keeps saying that nothing runs; the history's own load reports the failure.
    }
  }

  function replay(attempt) {
    app.output.reset(attempt.id, attempt.kind, false, viewerGoToLine, attempt.number);
    $("output-back").hidden = !app.live.current;
    const events = Array.isArray(attempt.events) ? [...attempt.events].sort((a, b) => a.seq - b.seq) : [];
    for (const event of events) app.output.apply({ attempt: attempt.id, ...event });
    if (!events.some((event) => event.type === "result")) app.output.setStatus(t("storedNoResult", { id: numberOf(attempt) }));
  }

  function renderViewer(attempt) {
    $("attempt-view").hidden = false;
    $("attempt-view-title").textContent = t("attemptTitle", { id: numberOf(attempt), kind: kindLabel(t, attempt.kind) });
    $("attempt-view-summary").replaceChildren(`${historyOutcome(t, attempt)} · ${app.i18n.time(attempt.created_at)} `,
      insightLink(app, attempt) || "");
    $("diff-view").hidden = true;
    clearViewerFiles();
    const files = attempt.files || {};
    const names = orderedNames(Object.keys(files));
    const executable = new Set(attempt.executable || []);
    for (const name of names) {
      const { panel } = viewerTabs.add(name);
      if (executable.has(name)) viewerTabs.setMark(name, executableMark(t));
      panel.classList.add("ll-editor", "readonly");
      attempts.viewerEditors.set(name, createEditor(panel, {
        doc: files[name], language: languageFor(name), readOnly: true,
        label: t("storedEditorLabel", { name, id: numberOf(attempt) }),
      }));
    }
    if (names.length) viewerTabs.select(names[0]);
    fillCompareChoices();
  }

  // The stored attempt's read-only editors and their tabs go; the viewer itself stays.
  function clearViewerFiles() {
    for (const editor of attempts.viewerEditors.values()) editor.destroy();
    attempts.viewerEditors.clear();
    viewerTabs.clear();
  }

  function viewerGoToLine(line) {
    const editor = attempts.viewerEditors.get(DOCKERFILE);
    if (!editor || $("attempt-view").hidden) return app.workspace.goToLine(line);
    viewerTabs.select(DOCKERFILE);
    editor.goToLine(line);
  }

  function close() {
    $("attempt-view").hidden = true;
    clearViewerFiles();
    attempts.viewer = null;
    render();
    app.live.showOutput();
  }

  function fillCompareChoices() {
    const select = $("compare-with");
    const chosen = select.value;
    const viewing = attempts.viewer ? attempts.viewer.id : null;
    const options = [el("option", { value: "editor", text: t("compareEditor") })];
    for (const item of attempts.list) {
      if (item.id !== viewing) options.push(el("option", { value: String(item.id), text: t("compareAttempt", { id: numberOf(item), kind: kindLabel(t, item.kind) }) }));
    }
    select.replaceChildren(...options);
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  }

  async function showDiff() {
    const attempt = attempts.viewer;
    if (!attempt) return;
    const other = $("compare-with").value;
    if (other === "editor") {
      renderDiff(attempt, app.workspace.files(), app.workspace.executable(), t("theEditor"));
      return;
    }
    try {
      const otherAttempt = await fetchAttempt(Number(other));
      renderDiff(attempt, otherAttempt.files || {}, otherAttempt.executable,
        t("attemptN", { id: numberOfId(Number(other)) }));
    } catch (error) {
      app.messages.show(t("attemptLoadError", { id: numberOfId(Number(other)) }), "error");
    }
  }

  function renderDiff(attempt, newFiles, newExecutable, newLabel) {
    const oldLabel = t("attemptN", { id: numberOf(attempt) });
    const { changed, unchanged } = compareFiles(attempt.files || {}, newFiles, attempt.executable, newExecutable);
    const labels = { old: oldLabel, new: newLabel };
    const body = changed.length ? changed.map((file) => diffSection(file, labels)) : [el("p", { text: t("noDifferences") })];
    if (unchanged.length && changed.length) body.push(el("p", { class: "muted", text: t("unchangedFiles", { names: unchanged.join(", ") }) }));
    $("diff-title").textContent = t("diffTitle", { old: oldLabel, new: newLabel });
    $("diff-legend").textContent = t("diffLegend", { old: oldLabel, new: newLabel });
    $("diff-body").replaceChildren(...body);
    $("diff-view").hidden = false;
    $("diff-title").focus();
  }

  function diffSection({ name, onlyIn, hunks, mode }, labels) {
    const note = onlyIn ? t("onlyIn", { where: labels[onlyIn] }) : mode ? t("modeChanged", mode) : null;
    return el("section", { class: "diff-file" },
      el("h5", {}, el("code", { text: name }), note ? el("span", { class: "muted", text: ` — ${note}` }) : null),
      ...hunks.map((group) => el("div", { class: "hunk" }, ...group.map(diffRow))));
  }

  function diffRow(item) {
    const tag = item.op === "+" ? "ins" : item.op === "-" ? "del" : "div";
    return el(tag, { class: "diff-line" },
      el("span", { class: "ln", "aria-hidden": "true", text: item.a === null ? "" : String(item.a) }),
      el("span", { class: "ln", "aria-hidden": "true", text: item.b === null ? "" : String(item.b) }),
      el("span", { class: "sign", "aria-hidden": "true", text: item.op }),
      el("span", { class: "text", text: item.text || " " }));
  }

  async function restore() {
    const attempt = attempts.viewer;
    if (!attempt) return;
    if (!(await app.dialogs.confirmAction(t("confirmRestoreAttempt", { id: numberOf(attempt) }), t("restore")))) return;
    app.workspace.replaceAll(attempt.files || {}, attempt.executable);
    app.messages.show(t("attemptRestored", { id: numberOf(attempt) }), "info");
    app.workspace.focusDockerfile();
  }

  const clicks = { "history-refresh": load, "attempt-close": close, "compare-show": showDiff, "attempt-restore": restore };
  for (const [id, handler] of Object.entries(clicks)) $(id).addEventListener("click", handler);
  return { numberOfId, load, showLast, list: () => attempts.list };
}
