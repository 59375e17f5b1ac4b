// The few DOM helpers every part of the page uses.

export const $ = (id) => document.getElementById(id);

// el("p", {class: "x", onclick: f}, "text", child): a DOM node; text children are never parsed as HTML.
export function el(tag, attrs = {}, ...children) {
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

// A short note ("Copied.") that goes away by itself, unless something else was written there meanwhile.
export function flashNote(node, text) {
  node.textContent = text;
  setTimeout(() => { if (node.textContent === text) node.textContent = ""; }, 3000);
}

// A "line 3" button that jumps to a line of the Dockerfile.
export function lineButton(t, line, jump) {
  return el("button", {
    type: "button", class: "link line-link", text: t("lineN", { n: line }),
    "aria-label": t("goToLine", { n: line }), onclick: () => jump(line),
  });
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

export function readJson(id) {
  const node = $(id);
  return node ? JSON.parse(node.textContent) : {};
}
