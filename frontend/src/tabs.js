// A tab list whose keys are file names: proper ARIA roles, roving tabindex, arrows/Home/End, automatic activation.
// A tab may carry a short mark after its name (a file's "+x"), with words for it in its title.
import { el } from "./dom.js";

// `prefix` keeps the ids of two tab sets on one page apart.
export function createTabSet(tablist, panels, onSelect, prefix) {
  let entries = new Map();
  let active = null;
  let serial = 0;

  function add(key) {
    const id = `${prefix}-${++serial}`;
    const name = el("span", { class: "tab-name", text: key });
    const mark = el("span", { class: "tab-mark", "aria-hidden": "true", hidden: true }); // the title says it
    const tab = el("button", {
      type: "button", role: "tab", id, class: "tab", "aria-controls": `${id}-panel`, "aria-selected": "false",
      tabindex: "-1", title: key, onclick: () => select(entry.key), // the key a rename may change
    }, name, mark);
    const panel = el("div", { role: "tabpanel", id: `${id}-panel`, class: "tab-panel", "aria-labelledby": id });
    panel.hidden = true;
    tablist.append(tab);
    panels.append(panel);
    const entry = { key, tab, panel, name, mark, markTitle: null };
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
    entry.name.textContent = newKey;
    showTitle(entry);
    entries = new Map([...entries].map(([key, value]) => [key === oldKey ? newKey : key, value]));
    if (active === oldKey) active = newKey;
  }

  // mark: {text, title} after the tab's name, or null for none.
  function setMark(key, mark) {
    const entry = entries.get(key);
    if (!entry) return;
    entry.mark.textContent = mark ? mark.text : "";
    entry.mark.hidden = !mark;
    entry.markTitle = mark ? mark.title : null;
    showTitle(entry);
  }

  function showTitle(entry) {
    entry.tab.title = entry.markTitle ? `${entry.key} (${entry.markTitle})` : entry.key;
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

  return { add, select, remove, rename, setMark, clear, get active() { return active; } };
}
