// The message box under the build buttons: one message at a time, with a Dismiss button.
import { $, el } from "./dom.js";

export function createMessages({ t }) {
  function clear() {
    $("message").hidden = true;
    $("message").replaceChildren();
  }

  // attempt: the attempt the message is about, so that it can go away when that attempt ends.
  function show(text, kind, attempt = null) {
    const box = $("message");
    box.dataset.kind = kind;
    box.dataset.attempt = attempt === null ? "" : String(attempt);
    box.replaceChildren(el("span", { text }), el("button", { type: "button", class: "link", text: t("dismiss"), onclick: clear }));
    box.hidden = false;
  }

  // A message about `attempt` ("still running") is no longer true once it ended.
  function clearAbout(attempt) {
    if ($("message").dataset.attempt === String(attempt)) clear();
  }

  return { show, clear, clearAbout };
}
