// Light and dark looks for the editor and the terminal, following the page's theme (static/theme.js).
// Colours are close to the site's own (static/layerlab.css) so the widgets sit naturally on the page.
import { EditorView } from "@codemirror/view";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

const LIGHT = {
  bg: "#ffffff", fg: "#1d232b", gutterBg: "#f6f8fa", gutterFg: "#6e7781", line: "#d8dee5",
  activeLine: "#f2f6fb", selection: "#cfe3fa", cursor: "#0a5fb4", flash: "#fff3c4",
  keyword: "#a1302d", string: "#0b6e3a", comment: "#6e7781", number: "#0550ae", variable: "#8a4b08",
  definition: "#6f42c1", operator: "#1d232b", meta: "#6e7781", error: "#cf222e",
};

const DARK = {
  bg: "#0f1419", fg: "#e3e8ee", gutterBg: "#161d25", gutterFg: "#7d8996", line: "#2c3540",
  activeLine: "#18212b", selection: "#264f78", cursor: "#6cb6ff", flash: "#4a3f10",
  keyword: "#ff7b72", string: "#7ee787", comment: "#8b949e", number: "#79c0ff", variable: "#ffa657",
  definition: "#d2a8ff", operator: "#e3e8ee", meta: "#8b949e", error: "#ff7b72",
};

function editorTheme(c, dark) {
  return EditorView.theme({
    "&": { color: c.fg, backgroundColor: c.bg },
    ".cm-content": { caretColor: c.cursor },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: c.cursor },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
      { backgroundColor: c.selection },
    ".cm-activeLine": { backgroundColor: c.activeLine },
    ".cm-gutters": { backgroundColor: c.gutterBg, color: c.gutterFg, borderRight: `1px solid ${c.line}` },
    ".cm-activeLineGutter": { backgroundColor: c.activeLine, color: c.fg },
    ".cm-ll-flash": { backgroundColor: c.flash },
    ".cm-tooltip": { backgroundColor: c.gutterBg, color: c.fg, border: `1px solid ${c.line}` },
    ".cm-panels": { backgroundColor: c.gutterBg, color: c.fg },
  }, { dark });
}

function highlightStyle(c) {
  return syntaxHighlighting(HighlightStyle.define([
    { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: c.keyword, fontWeight: "600" },
    { tag: [t.string, t.special(t.string), t.regexp], color: c.string },
    { tag: [t.comment, t.lineComment, t.blockComment], color: c.comment, fontStyle: "italic" },
    { tag: [t.number, t.bool, t.atom, t.null], color: c.number },
    { tag: [t.special(t.variableName), t.variableName, t.self], color: c.variable },
    { tag: [t.definition(t.variableName), t.function(t.variableName), t.className, t.typeName], color: c.definition },
    { tag: t.standard(t.variableName), color: c.number },
    { tag: [t.propertyName, t.attributeName], color: c.definition },
    { tag: [t.operator, t.punctuation], color: c.operator },
    { tag: [t.meta, t.processingInstruction], color: c.meta },
    { tag: t.invalid, color: c.error, textDecoration: "underline wavy" },
  ]));
}

export const editorThemes = {
  light: [editorTheme(LIGHT, false), highlightStyle(LIGHT)],
  dark: [editorTheme(DARK, true), highlightStyle(DARK)],
};

// xterm.js colours: the ANSI palette is tuned so that every colour stays readable on its background.
export const terminalThemes = {
  light: {
    background: LIGHT.bg, foreground: LIGHT.fg, cursor: LIGHT.bg, selectionBackground: LIGHT.selection,
    black: "#1d232b", red: "#cf222e", green: "#116329", yellow: "#7d4e00", blue: "#0550ae",
    magenta: "#8250df", cyan: "#1b7c83", white: "#6e7781",
    brightBlack: "#57606a", brightRed: "#a40e26", brightGreen: "#1a7f37", brightYellow: "#633c01",
    brightBlue: "#0a5fb4", brightMagenta: "#6639ba", brightCyan: "#1b7c83", brightWhite: "#8c959f",
  },
  dark: {
    background: DARK.bg, foreground: DARK.fg, cursor: DARK.bg, selectionBackground: DARK.selection,
    black: "#484f58", red: "#ff7b72", green: "#3fb950", yellow: "#d29922", blue: "#58a6ff",
    magenta: "#bc8cff", cyan: "#39c5cf", white: "#b1bac4",
    brightBlack: "#8b949e", brightRed: "#ffa198", brightGreen: "#56d364", brightYellow: "#e3b341",
    brightBlue: "#79c0ff", brightMagenta: "#d2a8ff", brightCyan: "#56d4dd", brightWhite: "#ffffff",
  },
};

// The page's theme is `data-theme` on <html>, which static/theme.js sets (the reader's choice, else the system's).
const root = typeof document !== "undefined" ? document.documentElement : null;

export function currentScheme() {
  return root && root.dataset.theme === "dark" ? "dark" : "light";
}

// Calls `listener(scheme)` whenever the page's theme changes; returns a function that stops it.
export function onSchemeChange(listener) {
  if (!root || typeof MutationObserver !== "function") return () => {};
  const observer = new MutationObserver(() => listener(currentScheme()));
  observer.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}
