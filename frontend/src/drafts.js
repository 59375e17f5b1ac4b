// Autosave: the files go to the server's draft a second after the last change, again after a failure, and once
// more with keepalive when the page is left, so that not even the last second of typing is lost.
import { $, csrfToken } from "./dom.js";

const SAVE_DELAY_MS = 1000;
const SAVE_RETRY_MS = 5000;

// app: {data, i18n, state, workspace}.
export function createDrafts(app) {
  const { t, localize } = app.i18n;
  const save = { timer: null, inFlight: false, again: false, failed: false, lastSaved: body() };

  function body() {
    return JSON.stringify({ files: app.workspace.files(), executable: app.workspace.executable() });
  }

  function writeHeaders() {
    return { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
  }

  function put(text, options = {}) {
    return fetch(app.data.urls.draft, { method: "PUT", headers: writeHeaders(), body: text, credentials: "same-origin", ...options });
  }

  function setStatus(status, params = {}) {
    const node = $("save-status");
    node.dataset.state = status;
    node.textContent = t(`save_${status}`, params);
  }

  function onEdit() {
    setStatus("pending");
    clearTimeout(save.timer);
    save.timer = setTimeout(saveNow, SAVE_DELAY_MS);
  }

  async function saveNow() {
    clearTimeout(save.timer);
    if (save.inFlight) {
      save.again = true;
      return;
    }
    if (!app.workspace.checkLimits()) {
      setStatus("blocked");
      return;
    }
    const text = body();
    if (text === save.lastSaved) {
      setStatus("saved");
      return;
    }
    save.inFlight = true;
    setStatus("saving");
    try {
      const response = await put(text);
      save.failed = !response.ok;
      if (response.ok) {
        save.lastSaved = text;
        setStatus(text === body() ? "saved" : "pending");
      } else if (response.status >= 400 && response.status < 500) {
        // Refused (limits, expired session): saying why beats retrying; the next edit tries again.
        setStatus("refused", { reason: await refusalReason(response) });
      } else {
        throw new Error(`HTTP ${response.status}`);
      }
    } catch (error) {
      save.failed = true;
      setStatus("error");
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

  // keepalive lets the request outlive the page.
  function flushOnLeave() {
    const text = body();
    if (text === save.lastSaved || app.state.limitProblem) return;
    put(text, { keepalive: true }).catch(() => {});
  }

  setStatus("saved");
  window.addEventListener("pagehide", flushOnLeave);
  window.addEventListener("beforeunload", (event) => { if (save.failed) event.preventDefault(); });
  return { onEdit, saveNow };
}
