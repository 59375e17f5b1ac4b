// A CodeMirror 6 editor for one file of a build context, with the few operations the exercise page needs.
import { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { StreamLanguage, bracketMatching, indentOnInput } from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { lintGutter, setDiagnostics, lintKeymap } from "@codemirror/lint";
import { dockerFile } from "@codemirror/legacy-modes/mode/dockerfile";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { python } from "@codemirror/lang-python";
import { editorThemes, currentScheme, onSchemeChange } from "./themes.js";

const LANGUAGES = {
  dockerfile: () => StreamLanguage.define(dockerFile),
  shell: () => StreamLanguage.define(shell),
  python: () => python(),
  text: () => [],
};

// Which highlighting suits a file, from its name alone.
export function languageFor(filename) {
  const base = String(filename).split("/").pop();
  const lower = base.toLowerCase();
  if (lower === "dockerfile" || lower === "containerfile" || lower.startsWith("dockerfile.")
      || lower.endsWith(".dockerfile")) return "dockerfile";
  if (/\.(sh|bash)$/.test(lower) || lower === "entrypoint") return "shell";
  if (/\.pyw?$/.test(lower)) return "python";
  return "text";
}

// The lint levels of the protocol, as CodeMirror severities.
const SEVERITY = { error: "error", warning: "warning", info: "info", style: "hint" };

// A short highlight on a line the reader jumped to, so the eye finds it.
const flashLine = StateEffect.define();
const flashField = StateField.define({
  create: () => Decoration.none,
  update(decorations, transaction) {
    decorations = decorations.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (effect.is(flashLine)) {
        decorations = effect.value === null ? Decoration.none
          : Decoration.set([Decoration.line({ class: "cm-ll-flash" }).range(effect.value)]);
      }
    }
    return decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Every open editor, so that one colour-scheme listener can restyle them all.
const openEditors = new Set();
const themeSlot = new Compartment();
onSchemeChange((scheme) => {
  for (const view of openEditors) view.dispatch({ effects: themeSlot.reconfigure(editorThemes[scheme]) });
});

function extensionsFor(options, languageSlot) {
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
    indentOnInput(), bracketMatching(), highlightActiveLine(), highlightSelectionMatches(),
    EditorState.tabSize.of(4),
    // Tab indents; Escape then Tab (or Ctrl-M) still moves focus out, as CodeMirror documents.
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap, indentWithTab]),
    languageSlot.of(LANGUAGES[options.language in LANGUAGES ? options.language : "text"]()),
    themeSlot.of(editorThemes[currentScheme()]),
    lintGutter(), flashField,
    EditorView.contentAttributes.of({ "aria-label": options.label || "", spellcheck: "false", autocapitalize: "off" }),
  ];
  // Read-only stays focusable, so a keyboard user can still move through the text, select and copy it.
  if (options.readOnly) {
    extensions.push(EditorState.readOnly.of(true), EditorView.contentAttributes.of({ "aria-readonly": "true" }));
  }
  if (options.onChange) {
    extensions.push(EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onChange(update.state.doc.toString());
    }));
  }
  return extensions;
}

// createEditor(parent, {doc, language, label, readOnly, onChange}) -> a small handle on the editor.
export function createEditor(parent, options = {}) {
  const languageSlot = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({ doc: options.doc || "", extensions: extensionsFor(options, languageSlot) }),
  });
  openEditors.add(view);
  let flashTimer = null;

  function lineRange(number) {
    const doc = view.state.doc;
    return doc.line(Math.min(Math.max(1, Math.floor(number) || 1), doc.lines));
  }

  return {
    view,
    getText: () => view.state.doc.toString(),
    // Replacing the text is one undoable change, so a restore can be taken back with Ctrl-Z.
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage(language) {
      view.dispatch({ effects: languageSlot.reconfigure(LANGUAGES[language in LANGUAGES ? language : "text"]()) });
    },
    setLabel(label) {
      view.contentDOM.setAttribute("aria-label", label);
    },
    goToLine(number) {
      const line = lineRange(number);
      view.dispatch({
        selection: { anchor: line.from },
        effects: [EditorView.scrollIntoView(line.from, { y: "center" }), flashLine.of(line.from)],
      });
      view.focus();
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => view.dispatch({ effects: flashLine.of(null) }), 1600);
    },
    // findings: [{line, level, message}] -> marks in the gutter and under the lines; [] clears them.
    setFindings(findings) {
      const diagnostics = findings.filter((f) => Number.isInteger(f.line) && f.line > 0).map((f) => {
        const line = lineRange(f.line);
        return { from: line.from, to: line.to, severity: SEVERITY[f.level] || "info", message: f.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    focus: () => view.focus(),
    refresh: () => view.requestMeasure(),
    destroy() {
      clearTimeout(flashTimer);
      openEditors.delete(view);
      view.destroy();
    },
  };
}
