/* Layerlab exercise page: editor tabs, autosave, the sandbox websocket (docs/protocol.md), live output, checks,
   results, publishing to the course registry and attempt history. Plain ES2020, no build step; the editor and
   terminal come from static/vendor/layerlab-editor.js (window.LayerlabEditor). Page data and strings are JSON blocks
   in the page. */
(() => {
  "use strict";

  const Editor = window.LayerlabEditor;
  const DOCKERFILE = "Dockerfile";
  const SAVE_DELAY_MS = 1000;
  const SAVE_RETRY_MS = 5000;
  const MAX_BACKOFF_MS = 30000;
  const DIFF_CONTEXT = 3;
  const DIFF_MAX_CELLS = 2500000; // beyond this a line diff would be slow: show whole files instead
  const encoder = new TextEncoder();

  const page = readJson("exercise-data");
  const strings = readJson("exercise-strings");
  const lang = page.language === "zh-hans" ? "zh-hans" : "en";
  const limits = page.limits || {};

  // ---------------------------------------------------------------------------------------------- small helpers

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  // t("key", {n: 1}): the page-language string with {n} filled in. A missing key shows itself: visible, not fatal.
  function t(key, params = {}) {
    const template = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  // Texts from the server come as {"en": ..., "zh-hans": ...}; some (hadolint's advice) are plain strings.
  function localize(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    return value[lang] || value.en || Object.values(value)[0] || "";
  }

  const $ = (id) => document.getElementById(id);

  // el("p", {class: "x", onclick: f}, "text", child): a DOM node; text children are never parsed as HTML.
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const byteLength = (text) => encoder.encode(text).length;
  const formatKb = (bytes) => `${Math.round(bytes / 1024)} KB`;
  const LOCALE = lang === "zh-hans" ? "zh-Hans" : "en";
  const NUMBER_FORMAT = new Intl.NumberFormat(LOCALE);
  const TIME_FORMAT = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
  const number = (value) => NUMBER_FORMAT.format(value);

  function formatSeconds(seconds) {
    if (!Number.isFinite(seconds)) return "";
    if (seconds < 0.01) return t("seconds", { n: "<0.01" });
    if (seconds < 1) return t("seconds", { n: seconds.toFixed(2) });
    if (seconds < 60) return t("seconds", { n: seconds.toFixed(1) });
    return t("minutes", { n: Math.round(seconds / 60) });
  }

  function formatWait(seconds) {
    if (!Number.isFinite(seconds) || seconds < 1) return t("waitShort");
    return seconds < 60 ? t("seconds", { n: Math.round(seconds) }) : t("minutes", { n: Math.round(seconds / 60) });
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso || "";
    return TIME_FORMAT.format(date);
  }

  // Dockerfile first, then the other files by name, so tabs and diffs list them the same way every time.
  function orderedNames(names) {
    const rest = [...names].filter((name) => name !== DOCKERFILE).sort();
    return [...names].includes(DOCKERFILE) ? [DOCKERFILE, ...rest] : rest;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function attemptUrl(id) {
    return page.urls.attempt.replace(/\/0(\/?)$/, `/${encodeURIComponent(id)}$1`);
  }

  // ---------------------------------------------------------------------------------------------- tabs (ARIA)

  let tabSerial = 0;

  // A tab list whose keys are file names: proper roles, roving tabindex, arrows/Home/End, automatic activation.
  function createTabSet(tablist, panels, onSelect) {
    let entries = new Map();
    let active = null;

    function add(key) {
      const id = `tab-${++tabSerial}`;
      const tab = el("button", {
        type: "button", role: "tab", id, class: "tab", "aria-controls": `${id}-panel`, "aria-selected": "false",
        tabindex: "-1", text: key, title: key, onclick: () => select(key),
      });
      const panel = el("div", { role: "tabpanel", id: `${id}-panel`, class: "tab-panel", "aria-labelledby": id });
      panel.hidden = true;
      tablist.append(tab);
      panels.append(panel);
      const entry = { key, tab, panel };
      entries.set(key, entry);
      return entry;
    }

    function select(key, focusTab = false) {
      const entry = entries.get(key);
      if (!entry) return;
      for (const other of entries.values()) {
        const chosen = other === entry;
        other.tab.setAttribute("aria-selected", String(chosen));
        other.tab.tabIndex = chosen ? 0 : -1;
        other.panel.hidden = !chosen;
      }
      active = key;
      if (focusTab) entry.tab.focus();
      if (onSelect) onSelect(key);
    }

    function remove(key) {
      const entry = entries.get(key);
      if (!entry) return;
      entry.tab.remove();
      entry.panel.remove();
      entries.delete(key);
      if (active === key) {
        active = null;
        const first = entries.keys().next();
        if (!first.done) select(first.value);
      }
    }

    // Keeps the tab's place in the list: a Map rebuilt in the same order, with the one key changed.
    function rename(oldKey, newKey) {
      const entry = entries.get(oldKey);
      if (!entry) return;
      entry.key = newKey;
      entry.tab.textContent = newKey;
      entry.tab.title = newKey;
      entries = new Map([...entries].map(([key, value]) => [key === oldKey ? newKey : key, value]));
      if (active === oldKey) active = newKey;
    }

    function clear() {
      for (const key of [...entries.keys()]) remove(key);
    }

    tablist.addEventListener("keydown", (event) => {
      const keys = [...entries.keys()];
      const index = keys.indexOf(active);
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: keys.length - 1 };
      if (!(event.key in moves) || index < 0) return;
      event.preventDefault();
      select(keys[(moves[event.key] + keys.length) % keys.length], true);
    });

    return { add, select, remove, rename, clear, entry: (key) => entries.get(key), get active() { return active; } };
  }

  // ---------------------------------------------------------------------------------------------- the files

  const workspace = { tabs: null, editors: new Map() };

  function initFiles() {
    workspace.tabs = createTabSet($("file-tabs"), $("file-panels"), onFileSelected);
    const files = page.files && Object.keys(page.files).length ? page.files : page.starter || {};
    for (const name of orderedNames(Object.keys(files))) addFileTab(name, files[name]);
    if (!workspace.editors.has(DOCKERFILE)) addFileTab(DOCKERFILE, "");
    workspace.tabs.select(DOCKERFILE);
  }

  function addFileTab(name, text) {
    const { panel } = workspace.tabs.add(name);
    panel.classList.add("ll-editor");
    const editor = Editor.createEditor(panel, {
      doc: text, language: Editor.languageFor(name), label: t("editorLabel", { name }), onChange: onEdit,
    });
    workspace.editors.set(name, editor);
  }

  function removeFileTab(name) {
    workspace.editors.get(name).destroy();
    workspace.editors.delete(name);
    workspace.tabs.remove(name);
  }

  function collectFiles() {
    const files = {};
    for (const [name, editor] of workspace.editors) files[name] = editor.getText();
    return files;
  }

  function onFileSelected(name) {
    const editor = workspace.editors.get(name);
    if (editor) editor.refresh(); // a CodeMirror view measured while hidden needs a fresh look
    updateFileButtons();
  }

  function updateFileButtons() {
    const fixed = workspace.tabs.active === DOCKERFILE;
    $("file-rename").disabled = fixed;
    $("file-delete").disabled = fixed;
    $("file-add").disabled = workspace.editors.size >= limits.max_files;
  }

  // Why a file name is refused, in words, or null. Mirrors the server's rule: a relative path inside the context.
  function nameProblem(name, renaming = null) {
    if (!name) return t("nameEmpty");
    if (name.startsWith("/")) return t("nameAbsolute");
    if (name.includes("\\") || /[\u0000-\u001f\u007f]/.test(name)) return t("nameBadCharacters");
    const parts = name.split("/");
    if (parts.includes("..")) return t("nameDotDot");
    if (parts.some((part) => part === "" || part === ".")) return t("nameEmptyPart");
    if (name.length > 200) return t("nameTooLong");
    for (const other of workspace.editors.keys()) {
      if (other === renaming) continue;
      if (other === name) return t("nameTaken");
      // A build context cannot hold a file "a" and a file "a/b": "a" would have to be a file and a folder.
      if (other.startsWith(`${name}/`) || name.startsWith(`${other}/`)) return t("nameClash", { other });
    }
    return null;
  }

  function limitProblem(files) {
    const names = Object.keys(files);
    if (names.length > limits.max_files) return t("tooManyFiles", { limit: limits.max_files });
    let total = 0;
    for (const name of names) {
      const size = byteLength(files[name]);
      total += size;
      if (size > limits.max_file_bytes) return t("fileTooLarge", { name, limit: formatKb(limits.max_file_bytes) });
    }
    if (total > limits.max_total_bytes) return t("totalTooLarge", { limit: formatKb(limits.max_total_bytes) });
    return null;
  }

  async function addFile() {
    const name = await askFileName(t("addFileTitle"), "", null);
    if (name === null) return;
    addFileTab(name, "");
    workspace.tabs.select(name);
    workspace.editors.get(name).focus();
    onEdit();
  }

  async function renameFile() {
    const old = workspace.tabs.active;
    if (!old || old === DOCKERFILE) return;
    const name = await askFileName(t("renameFileTitle", { name: old }), old, old);
    if (name === null || name === old) return;
    workspace.tabs.rename(old, name);
    const editor = workspace.editors.get(old);
    workspace.editors = new Map([...workspace.editors].map(([key, value]) => [key === old ? name : key, value]));
    editor.setLanguage(Editor.languageFor(name));
    editor.setLabel(t("editorLabel", { name }));
    workspace.tabs.select(name, true);
    onEdit();
  }

  async function deleteFile() {
    const name = workspace.tabs.active;
    if (!name || name === DOCKERFILE) return;
    if (!(await confirmAction(t("confirmDelete", { name }), t("delete")))) return;
    removeFileTab(name);
    workspace.tabs.select(DOCKERFILE, true);
    onEdit();
  }

  async function restoreStarter() {
    if (!(await confirmAction(t("confirmRestoreStarter"), t("restore")))) return;
    replaceAllFiles(page.starter || {});
    showMessage(t("starterRestored"), "info");
  }

  // Puts a whole set of files in the editor. Files that stay are changed in place, so Ctrl-Z can take it back.
  function replaceAllFiles(files) {
    for (const name of [...workspace.editors.keys()]) {
      if (!(name in files) && name !== DOCKERFILE) removeFileTab(name);
    }
    for (const name of orderedNames(Object.keys(files))) {
      const editor = workspace.editors.get(name);
      if (!editor) addFileTab(name, files[name]);
      else if (editor.getText() !== files[name]) editor.setText(files[name]);
    }
    workspace.tabs.select(DOCKERFILE);
    onEdit();
  }

  function goToLine(line) {
    workspace.tabs.select(DOCKERFILE);
    workspace.editors.get(DOCKERFILE).goToLine(line);
  }

  // ---------------------------------------------------------------------------------------------- dialogs

  let validateDialogName = null;

  // Asks for a file name in a modal dialog; resolves to the checked name, or null when the reader cancels.
  function askFileName(title, initial, renaming) {
    const dialog = $("file-dialog");
    const input = $("file-dialog-name");
    $("file-dialog-title").textContent = title;
    $("file-dialog-error").textContent = "";
    input.removeAttribute("aria-invalid");
    input.value = initial;
    dialog.returnValue = "";
    validateDialogName = (name) => nameProblem(name, renaming);
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        resolve(dialog.returnValue === "ok" ? input.value.trim() : null);
      }, { once: true });
      dialog.showModal();
      input.select();
    });
  }

  function onFileDialogSubmit(event) {
    const input = $("file-dialog-name");
    const problem = validateDialogName ? validateDialogName(input.value.trim()) : null;
    if (!problem) return; // the form's method="dialog" closes it with returnValue "ok"
    event.preventDefault();
    $("file-dialog-error").textContent = problem;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  function confirmAction(text, okLabel) {
    const dialog = $("confirm-dialog");
    $("confirm-dialog-text").textContent = text;
    $("confirm-dialog-ok").textContent = okLabel;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("confirm-dialog-cancel").focus(); // the safe choice is the one under the reader's Enter key
    });
  }

  function initDialogs() {
    $("file-dialog-form").addEventListener("submit", onFileDialogSubmit);
    for (const id of ["file-dialog", "confirm-dialog"]) {
      const dialog = $(id);
      dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close("cancel"));
    }
  }

  // ---------------------------------------------------------------------------------------------- autosave

  const save = { timer: null, inFlight: false, again: false, failed: false, lastSaved: "" };
  const state = { limitProblem: null, lintPending: false, pendingStart: false };

  function draftBody() {
    return JSON.stringify({ files: collectFiles() });
  }

  function onEdit() {
    setSaveStatus("pending");
    clearTimeout(save.timer);
    save.timer = setTimeout(saveNow, SAVE_DELAY_MS);
    updateFileButtons();
  }

  async function saveNow() {
    clearTimeout(save.timer);
    if (save.inFlight) {
      save.again = true;
      return;
    }
    if (!checkLimits()) {
      setSaveStatus("blocked");
      return;
    }
    const body = draftBody();
    if (body === save.lastSaved) {
      setSaveStatus("saved");
      return;
    }
    save.inFlight = true;
    setSaveStatus("saving");
    try {
      const response = await fetch(page.urls.draft, { method: "PUT", headers: writeHeaders(), body, credentials: "same-origin" });
      save.failed = !response.ok;
      if (response.ok) {
        save.lastSaved = body;
        setSaveStatus(body === draftBody() ? "saved" : "pending");
      } else if (response.status >= 400 && response.status < 500) {
        // Refused (limits, expired session): saying why beats retrying; the next edit tries again.
        setSaveStatus("refused", { reason: await refusalReason(response) });
      } else {
        throw new Error(`HTTP ${response.status}`);
      }
    } catch (error) {
      save.failed = true;
      setSaveStatus("error");
      save.timer = setTimeout(saveNow, SAVE_RETRY_MS);
    } finally {
      save.inFlight = false;
      if (save.again) {
        save.again = false;
        saveNow();
      }
    }
  }

  async function refusalReason(response) {
    try {
      return localize((await response.json()).error) || `HTTP ${response.status}`;
    } catch (error) {
      return response.status === 403 ? t("sessionEnded") : `HTTP ${response.status}`;
    }
  }

  function writeHeaders() {
    return { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
  }

  // Leaving the page must not lose the last second of typing: send it with keepalive, which outlives the page.
  function flushOnLeave() {
    const body = draftBody();
    if (body === save.lastSaved || state.limitProblem) return;
    fetch(page.urls.draft, { method: "PUT", headers: writeHeaders(), body, credentials: "same-origin", keepalive: true })
      .catch(() => {});
  }

  function setSaveStatus(status, params = {}) {
    const node = $("save-status");
    node.dataset.state = status;
    node.textContent = t(`save_${status}`, params);
  }

  function checkLimits() {
    state.limitProblem = limitProblem(collectFiles());
    const box = $("limit-warning");
    box.textContent = state.limitProblem || "";
    box.hidden = !state.limitProblem;
    updateButtons();
    return !state.limitProblem;
  }

  // ---------------------------------------------------------------------------------------------- the socket

  const conn = { socket: null, open: false, retries: 0, timer: null, loggedOut: false };

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${page.urls.ws}`;
  }

  function connect() {
    clearTimeout(conn.timer);
    if (conn.loggedOut) return;
    setConnection("connecting");
    let socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    conn.socket = socket;
    socket.addEventListener("open", () => onSocketOpen(socket));
    socket.addEventListener("message", (event) => { if (socket === conn.socket) onFrame(event.data); });
    socket.addEventListener("close", (event) => onSocketClose(socket, event));
  }

  function onSocketOpen(socket) {
    if (socket !== conn.socket) return;
    conn.open = true;
    conn.retries = 0;
    setConnection("open");
    resumeAfterConnect();
    updateButtons();
  }

  function onSocketClose(socket, event) {
    if (socket !== conn.socket) return;
    const neverOpened = !conn.open;
    conn.open = false;
    conn.socket = null;
    state.lintPending = false;
    publishing.awaiting = false;
    updateButtons();
    if (event.code === 4401) {
      markLoggedOut();
    } else if (neverOpened && conn.retries >= 1) {
      // A refused handshake reaches the browser as a bare 1006, so ask plain HTTP whether the session is still good.
      checkSession().then((ok) => (ok ? scheduleReconnect() : markLoggedOut()));
    } else {
      scheduleReconnect();
    }
  }

  async function checkSession() {
    try {
      const response = await fetch(page.urls.attempts, { credentials: "same-origin", redirect: "manual" });
      return response.ok;
    } catch (error) {
      return true; // the network itself is down: keep trying, the session may be fine
    }
  }

  function markLoggedOut() {
    conn.loggedOut = true;
    setConnection("loggedOut");
  }

  function scheduleReconnect() {
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** conn.retries);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4)); // jitter: not every tab back at the same instant
    conn.retries += 1;
    setConnection("retrying", { seconds: Math.max(1, Math.round(delay / 1000)) });
    clearTimeout(conn.timer);
    conn.timer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (conn.socket || conn.loggedOut) return;
    conn.retries = 0;
    connect();
  }

  function send(message) {
    if (!conn.open) return false;
    conn.socket.send(JSON.stringify(message));
    return true;
  }

  function setConnection(status, params = {}) {
    const node = $("connection-status");
    node.dataset.state = status;
    node.replaceChildren(t(`connection_${status}`, params));
    if (status === "loggedOut") {
      const next = encodeURIComponent(location.pathname);
      node.append(" ", el("a", { href: `${strings.loginUrl || "/accounts/login/"}?next=${next}`, text: t("logInAgain") }));
    }
  }

  // After (re)connecting, pick up the attempt being watched exactly where its stream stopped.
  function resumeAfterConnect() {
    if (live && !live.finished) {
      send({ type: "subscribe", attempt: live.id, after: live.lastSeq });
    } else if (state.pendingStart) {
      // The socket dropped between "submit" and "accepted": the attempt may exist; the history will tell.
      state.pendingStart = false;
      loadHistory().then(adoptRunningAttempt);
    }
  }

  function adoptRunningAttempt() {
    const running = attempts.list.find((item) => item.status === "queued" || item.status === "running");
    if (running && !(live && live.id === running.id)) watch(running.id, running.kind, true);
  }

  // ---------------------------------------------------------------------------------------------- frames

  let live = null; // the attempt being followed: {id, kind, lastSeq, events, finished, cancelRequested}
  const early = []; // events that beat their "accepted" frame

  function onFrame(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch (error) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "lint") showLint(Array.isArray(frame.findings) ? frame.findings : []);
    else if (frame.type === "accepted") onAccepted(frame);
    else if (Number.isInteger(frame.seq)) onEvent(frame);
    else if (frame.type === "error") onErrorFrame(frame);
  }

  function onAccepted(frame) {
    state.pendingStart = false;
    watch(Number(frame.attempt), frame.kind, false);
    onPublishAccepted(frame);
    for (const event of early.splice(0)) onEvent(event);
    revealRunPane();
    loadHistory();
  }

  // On a phone the run pane sits below the editor: bring its status into view so the build is seen to start.
  function revealRunPane() {
    const status = $("attempt-status");
    const box = status.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) return;
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    status.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "start" });
  }

  // Starts following an attempt: clears the panes and, when asked, replays its events from the start.
  function watch(id, kind, subscribe) {
    live = { id, kind: kind || null, lastSeq: 0, events: [], finished: false, cancelRequested: false };
    output.reset(live.id, live.kind, true);
    if (subscribe) send({ type: "subscribe", attempt: id, after: 0 });
    updateButtons();
  }

  function onEvent(event) {
    const attempt = Number(event.attempt);
    if (!live || attempt !== live.id) {
      if (state.pendingStart && early.length < 1000) early.push(event);
      return;
    }
    if (event.seq <= live.lastSeq) return; // seen already: a replay overlapping what came live
    live.lastSeq = event.seq;
    live.events.push(event);
    if (event.type === "result") onLiveResult(event);
    if (output.isLive && output.showing === live.id) output.apply(event);
    updateButtons();
  }

  function onLiveResult(event) {
    live.finished = true;
    if ($("message").dataset.attempt === String(live.id)) clearMessage(); // "still running" is no longer true
    if (event.passed === true) markExercisePassed();
    publishAfterResult(live, event);
    loadHistory();
  }

  function onErrorFrame(frame) {
    const attempt = frame.attempt === undefined || frame.attempt === null ? null : Number(frame.attempt);
    if (publishRefused(frame, attempt)) return;
    showMessage(localize(frame.message) || t("errorCode", { code: frame.code }), "error", attempt);
    if (frame.code === "busy") {
      // Someone (another tab, or this one before a reload) is running an attempt: follow it so it can be cancelled.
      state.pendingStart = false;
      if (attempt !== null && !(live && live.id === attempt && !live.finished)) watch(attempt, null, true);
    } else if (live && attempt === live.id && !live.finished) {
      if (frame.code === "not_found") live.finished = true;
      if (frame.code === "not_running") send({ type: "subscribe", attempt: live.id, after: live.lastSeq });
    } else if (attempt === null) {
      // A refused request names no attempt: whatever was waiting for an answer will not get one.
      state.pendingStart = false;
      state.lintPending = false;
    }
    updateButtons();
  }

  // ---------------------------------------------------------------------------------------------- actions

  function filesToSend() {
    if (!checkLimits()) return null;
    return collectFiles();
  }

  function runLint() {
    if (state.lintPending) return;
    const files = filesToSend();
    if (!files) return;
    clearMessage();
    if (send({ type: "lint", exercise: page.exercise, files })) {
      state.lintPending = true;
      $("lint-summary").textContent = t("linting");
      $("lint-panel").hidden = false;
    }
    updateButtons();
  }

  function startAttempt(kind) {
    const files = filesToSend();
    if (!files) return;
    clearMessage();
    saveNow();
    if (send({ type: kind, exercise: page.exercise, files })) {
      state.pendingStart = true;
      output.setStatus(t("sending"));
    }
    updateButtons();
  }

  function cancelAttempt() {
    if (!live || live.finished) return;
    if (send({ type: "cancel", attempt: live.id })) {
      live.cancelRequested = true;
      output.setStatus(t("cancelling", { id: live.id }));
    }
    updateButtons();
  }

  function updateButtons() {
    const running = Boolean(live && !live.finished) || state.pendingStart;
    const blocked = Boolean(state.limitProblem);
    const focused = document.activeElement;
    // Lint stays enabled while it waits (a click then does nothing), so the keyboard focus is never pulled away.
    setDisabled("action-lint", !conn.open || blocked);
    setDisabled("action-try", !conn.open || running || blocked);
    setDisabled("action-submit", !conn.open || running || blocked);
    setDisabled("action-cancel", !conn.open || !live || live.finished || live.cancelRequested);
    setDisabled("publish-button", !conn.open || running || !publishing.source);
    $("action-lint").setAttribute("aria-busy", String(state.lintPending));
    // A button that disables itself under the reader's keyboard would drop focus to the page: move it somewhere useful.
    if (focused && focused.disabled && focused.closest(".actions")) {
      const next = ["action-cancel", "action-try", "action-lint"].map($).find((button) => !button.disabled);
      (next || $("attempt-status")).focus();
    } else if (focused && focused.disabled && focused.id === "publish-button") {
      $("publish-status").focus();
    }
  }

  function setDisabled(id, disabled) {
    $(id).disabled = disabled;
  }

  // attempt: the attempt the message is about, so that it can go away when that attempt ends.
  function showMessage(text, kind, attempt = null) {
    const box = $("message");
    box.dataset.kind = kind;
    box.dataset.attempt = attempt === null ? "" : String(attempt);
    box.replaceChildren(
      el("span", { text }),
      el("button", { type: "button", class: "link", text: t("dismiss"), onclick: clearMessage }),
    );
    box.hidden = false;
  }

  function clearMessage() {
    $("message").hidden = true;
    $("message").replaceChildren();
  }

  function markExercisePassed() {
    const holder = $("exercise-status");
    if (holder) holder.replaceChildren(el("span", { class: "status passed", text: t("statusPassed") }));
  }

  // ---------------------------------------------------------------------------------------------- lint

  function showLint(findings) {
    state.lintPending = false;
    updateButtons();
    $("lint-panel").hidden = false;
    const list = $("lint-findings");
    list.replaceChildren(...findings.map(lintItem));
    $("lint-summary").textContent = findings.length ? t("lintCount", { n: findings.length }) : t("lintClean");
    const marks = findings.map((f) => ({ line: f.line, level: f.level, message: `${f.code}: ${localize(f.message)}` }));
    workspace.editors.get(DOCKERFILE).setFindings(marks);
  }

  function lintItem(finding) {
    const level = ["error", "warning", "info", "style"].includes(finding.level) ? finding.level : "info";
    return el("li", { class: `finding level-${level}` },
      el("span", { class: `badge level-${level}`, text: t(`level_${level}`) }), " ",
      Number.isInteger(finding.line) && finding.line > 0 ? lineButton(finding.line, goToLine) : null, " ",
      el("code", { text: finding.code || "" }), " ",
      el("span", { text: localize(finding.message) }));
  }

  function lineButton(line, jump) {
    return el("button", {
      type: "button", class: "link line-link", text: t("lineN", { n: line }),
      "aria-label": t("goToLine", { n: line }), onclick: () => jump(line),
    });
  }

  // ---------------------------------------------------------------------------------------------- output pane

  // Renders one attempt's events (live or stored) into the status line, timeline, terminal, checks and result.
  const output = {
    terminal: null,
    showing: null,
    isLive: false,
    kind: null,
    sawRunOutput: false,
    layers: new Map(), // "push:<layer id>" -> its row in the layer list
    transferHeads: new Set(), // "push", "pull": the directions whose heading line the terminal has shown
    plainText: [],
    jump: goToLine,

    init() {
      this.terminal = Editor.createTerminal($("output"), { label: t("outputLabel") });
    },

    reset(id, kind, isLive) {
      this.showing = id;
      this.isLive = isLive;
      this.kind = kind;
      this.sawRunOutput = false;
      this.plainText = [];
      this.jump = isLive ? goToLine : viewerGoToLine;
      this.terminal.clear();
      $("timeline").replaceChildren();
      $("timeline-empty").hidden = false;
      $("checks").replaceChildren();
      $("checks-panel").hidden = true;
      this.layers = new Map();
      this.transferHeads = new Set();
      $("layers").replaceChildren();
      $("transfer-panel").hidden = true;
      $("published-list").replaceChildren();
      $("published-panel").hidden = true;
      $("published-copy-note").textContent = "";
      $("result").hidden = true;
      $("result").replaceChildren();
      $("output-source").textContent = sourceLabel(id, kind, isLive);
      $("output-back").hidden = isLive || !live;
      if (isLive) this.setStatus(t("accepted", { id }));
    },

    setStatus(text) {
      $("attempt-status").textContent = text;
    },

    write(text, style) {
      this.terminal.writeln(text, style);
      this.plainText.push(text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")); // for "Copy output": no colour codes
    },

    apply(event) {
      const handler = this[`on_${event.type}`];
      if (handler) handler.call(this, event);
    },

    on_queued(event) {
      this.setStatus(t("queued", { id: event.attempt, position: number(event.position), wait: formatWait(event.estimated_wait) }));
    },

    on_started(event) {
      this.setStatus(t("running", { id: event.attempt }));
      this.write(t("termStarted", { id: event.attempt }), "dim");
    },

    on_build_step(event) {
      $("timeline-empty").hidden = true;
      // The builder logs only what steps print; a step header in the output says which step printed it.
      this.write(`${t("stepOf", { step: event.step, total: event.total })} : ${event.instruction || ""}`, "dim");
      const item = timelineItem(event.step) || $("timeline").appendChild(el("li", { class: "step", "data-step": event.step }));
      for (const other of $("timeline").children) other.removeAttribute("aria-current");
      item.classList.add("running");
      item.setAttribute("aria-current", "step");
      item.replaceChildren(
        el("span", { class: "step-number", text: t("stepOf", { step: event.step, total: event.total }) }),
        el("code", { class: "instruction", text: event.instruction || "" }),
        el("span", { class: "step-meta" },
          Number.isInteger(event.line) ? lineButton(event.line, (line) => this.jump(line)) : null,
          el("span", { class: "step-state", text: t("stepRunning") })));
    },

    on_step_finished(event) {
      const item = timelineItem(event.step);
      if (!item) return;
      item.classList.remove("running");
      item.classList.add("done");
      item.removeAttribute("aria-current");
      const stateNode = item.querySelector(".step-state");
      stateNode.replaceChildren(
        event.cached ? el("span", { class: "badge cached", text: t("cached") }) : "",
        el("span", { class: "seconds", text: formatSeconds(Number(event.seconds)) }));
    },

    on_log(event) {
      const text = String(event.text === undefined ? "" : event.text);
      if (event.stream !== "build" && !this.sawRunOutput) {
        this.sawRunOutput = true;
        this.write(`── ${t("termRunOutput")} ──`, "dim");
      }
      // One event may carry several lines: output is sent in batches.
      const style = event.stream === "stderr" ? "error" : "plain";
      for (const line of text.split("\n")) this.write(line, style);
    },

    on_check(event) {
      $("checks-panel").hidden = false;
      $("checks").append(checkItem(event));
    },

    on_push(event) {
      this.layerProgress(event);
    },

    on_pull(event) {
      this.layerProgress(event); // the same rows and lines as a push, headed "pulling"
    },

    // A layer moving to or from the registry: a row per layer with its progress, a terminal line per new status.
    layerProgress(event) {
      const direction = event.type === "pull" ? "pull" : "push";
      const layer = String(event.layer || "");
      const status = String(event.status || "");
      if (!this.transferHeads.has(direction)) {
        this.transferHeads.add(direction);
        this.write(`── ${t(direction === "pull" ? "termPull" : "termPush")} ──`, "dim");
      }
      if (/^Pulling from /.test(status)) { // the image as a whole, not a layer
        this.write(status, "dim");
        return;
      }
      const key = `${direction}:${layer}`;
      let row = this.layers.get(key);
      if (!row) {
        row = layerRow(direction, layer);
        this.layers.set(key, row);
        $("layers").append(row.item);
      }
      if (row.status !== status) this.write(t("termLayer", { layer: shortLayer(layer), status: layerStatus(status) }), "dim");
      updateLayerRow(row, event);
      $("transfer-title").textContent = t(direction === "pull" ? "layersPull" : "layersPush");
      $("transfer-panel").hidden = false;
      const rows = [...this.layers.values()].filter((item) => item.direction === direction);
      const done = rows.filter((item) => item.done).length;
      const text = t(direction === "pull" ? "transferPull" : "transferPush", { id: event.attempt, done, total: rows.length });
      if ($("attempt-status").textContent !== text) this.setStatus(text);
    },

    on_published(event) {
      $("published-panel").hidden = false;
      $("published-list").append(publishedItem(event));
      this.write(t("termPublished", { reference: event.reference || "", digest: event.digest || "" }), "ok");
    },

    on_result(event) {
      for (const item of $("timeline").querySelectorAll(".running")) {
        item.classList.replace("running", "failed");
        item.removeAttribute("aria-current");
        item.querySelector(".step-state").textContent = t("stepFailed");
      }
      renderResult(event, this);
      this.setStatus(resultSummary(event, this.kind));
      this.write(localize(event.outcome && event.outcome.message), TERMINAL_STYLE[resultStyle(event)]);
    },

    on_error(event) {
      this.write(localize(event.message), "error");
    },
  };

  const TERMINAL_STYLE = { ok: "ok", warn: "info", error: "error", dim: "dim" };

  function timelineItem(step) {
    return $("timeline").querySelector(`li[data-step="${Number(step)}"]`);
  }

  function kindLabel(kind) {
    return { submit: t("kindSubmit"), try: t("kindTry"), publish: t("kindPublish") }[kind] || "";
  }

  // "Attempt #42 · Submit" above the output; the kind is unknown for a moment after a reload.
  function sourceLabel(id, kind, isLive) {
    if (!kind) return t("attemptN", { id });
    return t(isLive ? "showingLive" : "showingStored", { id, kind: kindLabel(kind) });
  }

  // A check worth no points is advice (an optional style rule): it is shown, but never as a failure.
  function checkItem(event) {
    const passed = event.passed === true;
    const advice = !passed && event.max_points === 0;
    const state = passed ? "passed" : advice ? "advice" : "failed";
    const marks = { passed: "✓", failed: "✗", advice: "i" };
    const labels = { passed: t("checkPassed"), failed: t("checkFailed"), advice: t("checkAdvice") };
    return el("li", { class: `check ${state}` },
      el("span", { class: "check-mark", "aria-hidden": "true", text: marks[state] }),
      el("div", { class: "check-body" },
        el("p", { class: "check-head" },
          el("strong", { text: labels[state] }), " ",
          el("code", { text: event.id || "" }), " ",
          el("span", { class: "points", text: t("points", { points: event.points, max: event.max_points }) })),
        el("p", { class: "check-message", text: localize(event.message) }),
        event.hint ? el("p", { class: "hint" }, el("strong", { text: t("hint") }), " ", localize(event.hint)) : null));
  }

  function resultHeading(event, kind) {
    const ok = Boolean(event.outcome && event.outcome.kind === "ok");
    if (event.status === "cancelled") return t("resultCancelled");
    if (kind === "publish") return ok ? t("resultPublished") : t("resultNotPublished");
    if (event.status === "failed") return t("resultFailed");
    if (event.passed === true) return t("resultPassed");
    if (event.passed === false) return t("resultNotPassed");
    return ok ? t("resultRan") : t("resultProblem");
  }

  // ok: passed, or a try that built and ran; warn: graded but not passed; error: it could not build or run.
  function resultStyle(event) {
    const ranWell = Boolean(event.outcome && event.outcome.kind === "ok");
    if (event.status === "cancelled") return "dim";
    if (event.status === "failed" || !ranWell) return "error";
    return event.passed === false ? "warn" : "ok";
  }

  // Graded attempts carry a score; a try, a publish and an attempt that was not graded do not.
  function hasScore(event) {
    return Number.isInteger(event.score) && Number.isInteger(event.max_score) && event.passed !== null;
  }

  function resultSummary(event, kind) {
    const heading = resultHeading(event, kind);
    if (hasScore(event)) {
      return `${t("attemptN", { id: event.attempt })}: ${heading} · ${t("score", { score: event.score, max: event.max_score })}`;
    }
    return `${t("attemptN", { id: event.attempt })}: ${heading}`;
  }

  function renderResult(event, view) {
    const box = $("result");
    const outcome = event.outcome || {};
    const line = outcome.detail && outcome.detail.line;
    box.className = `result result-${resultStyle(event)}`;
    box.replaceChildren(...[
      el("h3", { text: resultHeading(event, view.kind) }),
      hasScore(event)
        ? el("p", { class: "score", text: t("score", { score: event.score, max: event.max_score }) }) : null,
      el("p", { text: localize(outcome.message) }),
      Number.isInteger(line) && line > 0
        ? el("p", {}, el("button", { type: "button", class: "link line-link", text: t("goToLine", { n: line }), onclick: () => view.jump(line) }))
        : null,
    ].filter(Boolean));
    box.hidden = false;
  }

  function showLiveOutput() {
    if (!live) return;
    output.reset(live.id, live.kind, true);
    for (const event of live.events) output.apply(event);
    if (!live.events.length) output.setStatus(t("accepted", { id: live.id }));
  }

  async function copyOutput() {
    try {
      await navigator.clipboard.writeText(output.plainText.join("\n"));
      flashNote($("output-copy-note"), t("copied"));
    } catch (error) {
      flashNote($("output-copy-note"), t("copyFailed"));
    }
  }

  function flashNote(node, text) {
    node.textContent = text;
    setTimeout(() => { if (node.textContent === text) node.textContent = ""; }, 3000);
  }

  // ---------------------------------------------------------------------------------------------- registry transfers

  // Docker's own words for a layer's state, in the page's language; words it may add later pass through as they are.
  const LAYER_STATUS = {
    Preparing: "layer_preparing", Waiting: "layer_waiting", Pushing: "layer_pushing", Pushed: "layer_pushed",
    "Layer already exists": "layer_exists", "Pulling fs layer": "layer_fsLayer", Downloading: "layer_downloading",
    "Verifying Checksum": "layer_verifying", "Download complete": "layer_downloadComplete",
    Extracting: "layer_extracting", "Pull complete": "layer_pullComplete", "Already exists": "layer_alreadyExists",
  };
  const LAYER_DONE = new Set(["Pushed", "Layer already exists", "Pull complete", "Already exists"]);

  function layerStatus(status) {
    return LAYER_STATUS[status] ? t(LAYER_STATUS[status]) : status;
  }

  // Layer ids are short already ("abc123def456"); an image named by its digest is cut to the same length.
  function shortLayer(layer) {
    return layer.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*$/, "$1");
  }

  function formatBytes(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return formatKb(bytes);
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }

  function layerRow(direction, layer) {
    const label = el("span", { class: "layer-state" });
    const meter = el("span", { class: "layer-meter" });
    const item = el("li", { class: "layer" }, el("code", { class: "layer-id", text: shortLayer(layer) }), label, meter);
    return { direction, layer, status: null, done: false, item, label, meter };
  }

  function updateLayerRow(row, event) {
    const status = String(event.status || "");
    const current = Number.isInteger(event.current) ? event.current : null;
    const total = Number.isInteger(event.total) && event.total > 0 ? event.total : null;
    row.status = status;
    row.done = LAYER_DONE.has(status);
    row.item.classList.toggle("done", row.done);
    row.label.textContent = layerStatus(status);
    if (row.done || current === null || total === null) {
      row.meter.replaceChildren();
      return;
    }
    const value = Math.min(current, total);
    row.meter.replaceChildren(
      el("progress", { max: total, value, "aria-label": t("layerProgress", { layer: shortLayer(row.layer) }) }),
      el("span", { class: "layer-bytes", text: `${formatBytes(value)} / ${formatBytes(total)}` }));
  }

  function publishedItem(event) {
    const reference = String(event.reference || "");
    const digest = el("code", { class: "digest", text: String(event.digest || "") });
    return el("li", { class: "published" },
      el("code", { class: "reference", text: reference }),
      el("span", { class: "digest-line" },
        el("span", { class: "muted", text: t("digestLabel") }), " ", digest, " ",
        el("button", {
          type: "button", class: "copy", text: t("copyDigest"), "aria-label": t("copyDigestOf", { reference }),
          onclick: () => copyFrom(digest),
        })));
  }

  // The clipboard needs a secure context and the reader's permission; without it, select the text to copy by hand.
  async function copyFrom(node) {
    const note = $("published-copy-note");
    try {
      await navigator.clipboard.writeText(node.textContent);
      flashNote(note, t("copied"));
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      flashNote(note, t("copySelected"));
    }
  }

  // ---------------------------------------------------------------------------------------------- publish

  // Docker's reference grammar, as sandbox/references.py has it. The server checks again; this only says it sooner.
  const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  const REPOSITORY_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
  const TAG_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
  const MAX_TAGS = 5;
  const MAX_NAME_LENGTH = 255;

  const destination = page.publish || {};
  // source: the try or submit whose files a publish builds; awaiting: a publish was sent and has no answer yet.
  const publishing = { source: null, awaiting: false, checking: false };
  // Endings that say nothing about the files (a submit before publishing, a registry away): the source stays.
  const NEUTRAL_OUTCOMES = new Set([
    "not_published", "registry_denied", "registry_quota", "registry_unavailable", "cancelled", "engine_unavailable",
  ]);

  function initPublish() {
    $("publish-repository").value = destination.repository || "";
    $("publish-tags").value = destination.tags || "latest";
    $("publish-form").addEventListener("submit", publishNow);
    for (const id of ["publish-repository", "publish-tags"]) $(id).addEventListener("input", onPublishInput);
    renderPublishPreview();
  }

  function publishTarget() {
    const tags = $("publish-tags").value.split(/\s+/).filter(Boolean);
    return { repository: $("publish-repository").value.trim(), tags: [...new Set(tags)] };
  }

  function referenceFor(repository, tag) {
    return `${destination.registry}/${destination.username}/${repository}:${tag}`;
  }

  // What is wrong with the repository or the tags, as {field, text}, or null.
  function publishProblem({ repository, tags }) {
    const repositoryProblem = (text) => ({ field: "publish-repository", text });
    if (!repository) return repositoryProblem(t("repoEmpty"));
    if (!REPOSITORY_NAME.test(repository)) {
      const lower = repository.toLowerCase();
      return repositoryProblem(REPOSITORY_NAME.test(lower) ? t("repoUpper", { suggestion: lower }) : t("repoInvalid"));
    }
    if (`${destination.registry}/${destination.username}/${repository}`.length > MAX_NAME_LENGTH) {
      return repositoryProblem(t("repoTooLong"));
    }
    const tagsProblem = (text) => ({ field: "publish-tags", text });
    if (!tags.length) return tagsProblem(t("tagsEmpty"));
    if (tags.length > MAX_TAGS) return tagsProblem(t("tagsTooMany", { limit: MAX_TAGS }));
    const bad = tags.find((tag) => !TAG_NAME.test(tag));
    return bad === undefined ? null : tagsProblem(t("tagInvalid", { tag: bad }));
  }

  function renderPublishPreview() {
    const { repository, tags } = publishTarget();
    const names = tags.length ? tags : [""];
    $("publish-preview").replaceChildren(...names.map((tag) => el("li", {}, el("code", { text: referenceFor(repository, tag) }))));
  }

  function showPublishProblem(problem) {
    $("publish-error").textContent = problem ? problem.text : "";
    for (const id of ["publish-repository", "publish-tags"]) {
      if (problem && problem.field === id) $(id).setAttribute("aria-invalid", "true");
      else $(id).removeAttribute("aria-invalid");
    }
  }

  // Once a publish was refused for a mistake, the message follows the typing until the mistake is gone.
  function onPublishInput() {
    renderPublishPreview();
    if (publishing.checking) showPublishProblem(publishProblem(publishTarget()));
  }

  function publishNow(event) {
    event.preventDefault();
    if (!publishing.source || $("publish-button").disabled) return;
    const target = publishTarget();
    const problem = publishProblem(target);
    publishing.checking = true;
    showPublishProblem(problem);
    if (problem) {
      $(problem.field).focus();
      return;
    }
    clearMessage();
    if (send({ type: "publish", attempt: publishing.source.id, repository: target.repository, tags: target.tags })) {
      state.pendingStart = true;
      publishing.awaiting = true;
      setPublishStatus(t("sending"));
    }
    updateButtons();
  }

  function setPublishStatus(text) {
    $("publish-status").textContent = text;
  }

  function setPublishSource(id, kind) {
    const changed = !publishing.source || publishing.source.id !== id;
    publishing.source = { id, kind };
    $("publish-source").textContent = t("publishSource", { id, kind: kindLabel(kind) });
    $("publish-panel").hidden = false;
    if (changed) setPublishStatus(t("publishReady", { id }));
    updateButtons();
  }

  function clearPublishSource() {
    publishing.source = null;
    $("publish-panel").hidden = true;
    setPublishStatus("");
    updateButtons();
  }

  function onPublishAccepted(frame) {
    if (frame.kind !== "publish") return;
    publishing.awaiting = false;
    setPublishStatus(t("publishRunning", { id: frame.attempt }));
  }

  // A try or submit that worked becomes what the panel publishes; one that failed to build or run takes the panel
  // away, since the files now in the editor do not work. Kind unknown (a reload mid-attempt): the history decides.
  function publishAfterResult(attempt, event) {
    const outcome = event.outcome ? event.outcome.kind : null;
    if (attempt.kind === "publish") announcePublishResult(attempt.id, event);
    else if (!attempt.kind || NEUTRAL_OUTCOMES.has(outcome)) updateButtons();
    else if (outcome === "ok") setPublishSource(attempt.id, attempt.kind);
    else clearPublishSource();
  }

  function announcePublishResult(id, event) {
    if (publishing.source === null) return;
    if (event.status === "cancelled") {
      setPublishStatus(t("publishCancelled"));
    } else if (event.outcome && event.outcome.kind === "ok") {
      const references = live && live.id === id
        ? live.events.filter((item) => item.type === "published").map((item) => item.reference) : [];
      setPublishStatus(t("publishDone", { id, references: references.join(", ") }));
    } else {
      setPublishStatus(t("publishFailed", { message: localize(event.outcome && event.outcome.message) }));
    }
  }

  // After a reload, the same choice from the history: the newest try or submit whose ending says something about
  // its files is what the panel publishes, if it worked.
  function publishFromHistory() {
    if (publishing.source) return;
    const telling = attempts.list.find((item) => (item.kind === "try" || item.kind === "submit")
      && !["queued", "running", "cancelled"].includes(item.status) && !NEUTRAL_OUTCOMES.has(item.outcome));
    if (telling && telling.outcome === "ok") setPublishSource(telling.id, telling.kind);
  }

  // A successful try or submit opened from the history can be published as well.
  function publishFromStored(attempt) {
    if (attempt.kind !== "try" && attempt.kind !== "submit") return;
    const result = (attempt.events || []).find((event) => event.type === "result");
    if (result && result.status === "finished" && result.outcome && result.outcome.kind === "ok") {
      setPublishSource(attempt.id, attempt.kind);
    }
  }

  // An error frame that answers a publish: said next to the form. Returns whether it was one.
  function publishRefused(frame, attempt) {
    if (!publishing.awaiting || frame.code === "busy") {
      publishing.awaiting = false;
      return false;
    }
    if (attempt !== null && !(publishing.source && attempt === publishing.source.id)) return false;
    publishing.awaiting = false;
    state.pendingStart = false;
    setPublishStatus("");
    $("publish-error").textContent = localize(frame.message) || t("errorCode", { code: frame.code });
    updateButtons();
    return true;
  }

  // ---------------------------------------------------------------------------------------------- history

  const attempts = { list: [], loads: 0, details: new Map(), viewer: null, viewerTabs: null, viewerEditors: new Map() };

  async function loadHistory() {
    const status = $("history-status");
    // Two loads can overlap (one on "accepted", one on "result"); only the newest request may fill the table.
    const serial = ++attempts.loads;
    try {
      const response = await fetch(page.urls.attempts, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      if (serial !== attempts.loads) return;
      attempts.list = Array.isArray(data.attempts) ? data.attempts : [];
      status.textContent = attempts.list.length ? "" : t("historyEmpty");
      renderHistory();
      publishFromHistory();
      learnLiveKind();
    } catch (error) {
      if (serial === attempts.loads) status.textContent = t("historyError");
    }
  }

  // After a reload the page knows only the running attempt's id; the history tells whether it is a try or a submit.
  function learnLiveKind() {
    if (!live || live.kind) return;
    const item = attempts.list.find((entry) => entry.id === live.id);
    if (!item) return;
    live.kind = item.kind;
    if (output.isLive && output.showing === live.id) {
      output.kind = live.kind;
      $("output-source").textContent = sourceLabel(live.id, live.kind, true);
    }
    const result = live.events.find((event) => event.type === "result");
    if (result && live.kind === "publish") announcePublishResult(live.id, result);
  }

  function historyOutcome(item) {
    if (item.status === "queued") return t("statusQueued");
    if (item.status === "running") return t("statusRunning");
    if (item.status === "cancelled") return t("resultCancelled");
    if (item.kind === "publish") return item.outcome === "ok" ? t("resultPublished") : t("resultNotPublished");
    if (item.kind === "try" && item.outcome) return item.outcome === "ok" ? t("resultRan") : t("resultProblem");
    if (item.status === "failed") return t("resultFailed");
    if (item.passed === true) return t("resultPassed");
    if (item.passed === false) return t("resultNotPassed");
    return t("statusFinished");
  }

  function renderHistory() {
    const rows = attempts.list.map((item) => {
      const open = attempts.viewer && attempts.viewer.id === item.id;
      const score = Number.isInteger(item.score) && Number.isInteger(item.max_score) ? `${item.score}/${item.max_score}` : "–";
      return el("tr", { class: item.passed === true ? "passed" : "", "aria-current": open ? "true" : null },
        el("th", { scope: "row", text: `#${item.id}` }),
        el("td", { text: kindLabel(item.kind) }),
        el("td", { text: historyOutcome(item) }),
        el("td", { class: "num", text: score }),
        el("td", {}, el("time", { datetime: item.created_at, text: formatTime(item.created_at) })),
        el("td", {}, el("button", {
          type: "button", text: t("open"), "aria-label": t("openAttempt", { id: item.id }), onclick: () => openAttempt(item.id),
        })));
    });
    $("history-list").replaceChildren(...rows);
    $("history-table").hidden = !rows.length;
    fillCompareChoices();
  }

  async function fetchAttempt(id) {
    const cached = attempts.details.get(id);
    if (cached) return cached;
    const response = await fetch(attemptUrl(id), { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const attempt = await response.json();
    // Only an ended attempt is fixed for good; a running one is asked again next time.
    if (!["queued", "running"].includes(attempt.status)) attempts.details.set(id, attempt);
    return attempt;
  }

  async function openAttempt(id) {
    let attempt;
    try {
      attempt = await fetchAttempt(id);
    } catch (error) {
      showMessage(t("attemptLoadError", { id }), "error");
      return;
    }
    attempts.viewer = attempt;
    renderViewer(attempt);
    renderHistory();
    replayStored(attempt);
    publishFromStored(attempt);
    $("attempt-view-title").focus();
  }

  function replayStored(attempt) {
    output.reset(attempt.id, attempt.kind, false);
    const events = Array.isArray(attempt.events) ? [...attempt.events].sort((a, b) => a.seq - b.seq) : [];
    for (const event of events) output.apply({ attempt: attempt.id, ...event });
    if (!events.some((event) => event.type === "result")) output.setStatus(t("storedNoResult", { id: attempt.id }));
  }

  function renderViewer(attempt) {
    $("attempt-view").hidden = false;
    $("attempt-view-title").textContent = t("attemptTitle", { id: attempt.id, kind: kindLabel(attempt.kind) });
    $("attempt-view-summary").textContent = `${historyOutcome(attempt)} · ${formatTime(attempt.created_at)}`;
    $("diff-view").hidden = true;
    clearViewerFiles();
    const files = attempt.files || {};
    for (const name of orderedNames(Object.keys(files))) {
      const { panel } = attempts.viewerTabs.add(name);
      panel.classList.add("ll-editor", "readonly");
      attempts.viewerEditors.set(name, Editor.createEditor(panel, {
        doc: files[name], language: Editor.languageFor(name), readOnly: true,
        label: t("storedEditorLabel", { name, id: attempt.id }),
      }));
    }
    const first = orderedNames(Object.keys(files))[0];
    if (first) attempts.viewerTabs.select(first);
    fillCompareChoices();
  }

  // The stored attempt's read-only editors and their tabs go; the viewer itself stays.
  function clearViewerFiles() {
    for (const editor of attempts.viewerEditors.values()) editor.destroy();
    attempts.viewerEditors.clear();
    attempts.viewerTabs.clear();
  }

  function viewerGoToLine(line) {
    const editor = attempts.viewerEditors.get(DOCKERFILE);
    if (!editor || $("attempt-view").hidden) return goToLine(line);
    attempts.viewerTabs.select(DOCKERFILE);
    editor.goToLine(line);
  }

  function closeViewer() {
    $("attempt-view").hidden = true;
    clearViewerFiles();
    attempts.viewer = null;
    renderHistory();
    if (live) showLiveOutput();
  }

  function fillCompareChoices() {
    const select = $("compare-with");
    const chosen = select.value;
    const viewing = attempts.viewer ? attempts.viewer.id : null;
    const options = [el("option", { value: "editor", text: t("compareEditor") })];
    for (const item of attempts.list) {
      if (item.id !== viewing) options.push(el("option", { value: String(item.id), text: t("compareAttempt", { id: item.id, kind: kindLabel(item.kind) }) }));
    }
    select.replaceChildren(...options);
    if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
  }

  async function showDiff() {
    const attempt = attempts.viewer;
    if (!attempt) return;
    const target = $("compare-with").value;
    let otherFiles;
    let otherLabel;
    if (target === "editor") {
      otherFiles = collectFiles();
      otherLabel = t("theEditor");
    } else {
      try {
        otherFiles = (await fetchAttempt(Number(target))).files || {};
      } catch (error) {
        showMessage(t("attemptLoadError", { id: target }), "error");
        return;
      }
      otherLabel = t("attemptN", { id: target });
    }
    renderDiff(attempt.files || {}, otherFiles, t("attemptN", { id: attempt.id }), otherLabel);
  }

  async function restoreFromAttempt() {
    const attempt = attempts.viewer;
    if (!attempt) return;
    if (!(await confirmAction(t("confirmRestoreAttempt", { id: attempt.id }), t("restore")))) return;
    replaceAllFiles(attempt.files || {});
    showMessage(t("attemptRestored", { id: attempt.id }), "info");
    workspace.editors.get(DOCKERFILE).focus();
  }

  // ---------------------------------------------------------------------------------------------- diff

  function splitLines(text) {
    if (!text) return [];
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines;
  }

  // A line diff: the longest common subsequence of the lines between the common head and tail.
  // Returns [{op: " " | "-" | "+", text, a, b}] with 1-based line numbers on each side.
  function diffLines(oldText, newText) {
    const a = splitLines(oldText);
    const b = splitLines(newText);
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
    const middle = diffMiddle(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
    const ops = [];
    for (let i = 0; i < head; i += 1) ops.push({ op: " ", text: a[i] });
    ops.push(...middle);
    for (let i = a.length - tail; i < a.length; i += 1) ops.push({ op: " ", text: a[i] });
    return numberLines(ops);
  }

  function diffMiddle(a, b) {
    const n = a.length;
    const m = b.length;
    if (n * m > DIFF_MAX_CELLS) {
      return [...a.map((text) => ({ op: "-", text })), ...b.map((text) => ({ op: "+", text }))];
    }
    // lengths[i * (m + 1) + j] = length of the LCS of a[i:] and b[j:]
    const width = m + 1;
    const lengths = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) {
        lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
      }
    }
    const ops = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) {
        ops.push({ op: " ", text: a[i] });
        i += 1;
        j += 1;
      } else if (i < n && (j === m || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1])) {
        ops.push({ op: "-", text: a[i] }); // removals before additions, as diff tools show them
        i += 1;
      } else {
        ops.push({ op: "+", text: b[j] });
        j += 1;
      }
    }
    return ops;
  }

  function numberLines(ops) {
    let a = 0;
    let b = 0;
    return ops.map((item) => {
      if (item.op !== "+") a += 1;
      if (item.op !== "-") b += 1;
      return { ...item, a: item.op === "+" ? null : a, b: item.op === "-" ? null : b };
    });
  }

  // Groups a diff into hunks: the changed lines with a few unchanged lines around them.
  function hunks(ops) {
    const keep = ops.map(() => false);
    ops.forEach((item, index) => {
      if (item.op === " ") return;
      for (let k = Math.max(0, index - DIFF_CONTEXT); k <= Math.min(ops.length - 1, index + DIFF_CONTEXT); k += 1) keep[k] = true;
    });
    const groups = [];
    let current = null;
    ops.forEach((item, index) => {
      if (!keep[index]) {
        current = null;
        return;
      }
      if (!current) groups.push((current = []));
      current.push(item);
    });
    return groups;
  }

  function renderDiff(oldFiles, newFiles, oldLabel, newLabel) {
    const names = orderedNames(new Set([...Object.keys(oldFiles), ...Object.keys(newFiles)]));
    const unchanged = [];
    const sections = [];
    for (const name of names) {
      if (oldFiles[name] === newFiles[name]) unchanged.push(name);
      else sections.push(diffSection(name, oldFiles[name], newFiles[name], oldLabel, newLabel));
    }
    const body = [];
    if (!sections.length) body.push(el("p", { text: t("noDifferences") }));
    body.push(...sections);
    if (unchanged.length && sections.length) body.push(el("p", { class: "muted", text: t("unchangedFiles", { names: unchanged.join(", ") }) }));
    $("diff-title").textContent = t("diffTitle", { old: oldLabel, new: newLabel });
    $("diff-legend").textContent = t("diffLegend", { old: oldLabel, new: newLabel });
    $("diff-body").replaceChildren(...body);
    $("diff-view").hidden = false;
    $("diff-title").focus();
  }

  function diffSection(name, oldText, newText, oldLabel, newLabel) {
    let note = null;
    if (oldText === undefined) note = t("onlyIn", { where: newLabel });
    if (newText === undefined) note = t("onlyIn", { where: oldLabel });
    const groups = hunks(diffLines(oldText || "", newText || ""));
    return el("section", { class: "diff-file" },
      el("h5", {}, el("code", { text: name }), note ? el("span", { class: "muted", text: ` — ${note}` }) : null),
      ...groups.map((group) => el("div", { class: "hunk" }, ...group.map(diffRow))));
  }

  function diffRow(item) {
    const tag = item.op === "+" ? "ins" : item.op === "-" ? "del" : "div";
    return el(tag, { class: "diff-line" },
      el("span", { class: "ln", "aria-hidden": "true", text: item.a === null ? "" : String(item.a) }),
      el("span", { class: "ln", "aria-hidden": "true", text: item.b === null ? "" : String(item.b) }),
      el("span", { class: "sign", "aria-hidden": "true", text: item.op }),
      el("span", { class: "text", text: item.text || " " }));
  }

  // ---------------------------------------------------------------------------------------------- start

  function bindButtons() {
    const clicks = {
      "file-add": addFile, "file-rename": renameFile, "file-delete": deleteFile, "restore-starter": restoreStarter,
      "action-lint": runLint, "action-try": () => startAttempt("try"), "action-submit": () => startAttempt("submit"),
      "action-cancel": cancelAttempt, "output-back": backToLive, "output-copy": copyOutput,
      "history-refresh": loadHistory, "attempt-close": closeViewer, "compare-show": showDiff,
      "attempt-restore": restoreFromAttempt,
    };
    for (const [id, handler] of Object.entries(clicks)) $(id).addEventListener("click", handler);
  }

  function backToLive() {
    showLiveOutput();
    $("output-back").hidden = true;
  }

  function start() {
    if (!Editor) {
      $("message").hidden = false;
      $("message").textContent = t("editorMissing");
      return;
    }
    initFiles();
    attempts.viewerTabs = createTabSet($("attempt-file-tabs"), $("attempt-file-panels"), (name) => {
      const editor = attempts.viewerEditors.get(name);
      if (editor) editor.refresh();
    });
    output.init();
    initDialogs();
    initPublish();
    bindButtons();
    save.lastSaved = draftBody();
    setSaveStatus("saved");
    checkLimits();
    updateFileButtons();
    output.setStatus(t("idle"));
    const active = page.active_attempt && typeof page.active_attempt === "object" ? page.active_attempt.id : page.active_attempt;
    if (Number.isInteger(Number(active)) && active !== null) watch(Number(active), null, false);
    window.addEventListener("pagehide", flushOnLeave);
    window.addEventListener("beforeunload", (event) => { if (save.failed) event.preventDefault(); });
    window.addEventListener("online", reconnectNow);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") reconnectNow(); });
    connect();
    loadHistory();
  }

  start();
})();
