// The learner's files: one editor tab per file, adding, renaming, deleting and restoring them, the executable switch
// of the file shown (marked "+x" on its tab), and the editor's size limits (from the server's rules) checked as they
// type.
import { $ } from "./dom.js";
import { createEditor, languageFor } from "./editor.js";
import { DOCKERFILE, formatKb, orderedNames } from "./format.js";
import { createModes, executableMark } from "./modes.js";
import { fileNameProblem, limitProblem } from "./rules.js";
import { createTabSet } from "./tabs.js";

// app: {data, i18n, dialogs, state, messages, updateButtons}; onChange() runs after every change to the files.
export function createWorkspace(app, onChange) {
  const { t } = app.i18n;
  const rules = app.data.rules.files;
  let editors = new Map();
  const tabs = createTabSet($("file-tabs"), $("file-panels"), onSelected, "file");
  const modes = createModes();
  const executableSwitch = $("file-executable");

  function addTab(name, text) {
    const { panel } = tabs.add(name);
    panel.classList.add("ll-editor");
    editors.set(name, createEditor(panel, {
      doc: text, language: languageFor(name), label: t("editorLabel", { name }), onChange: changed,
    }));
  }

  function removeTab(name) {
    editors.get(name).destroy();
    editors.delete(name);
    modes.remove(name);
    tabs.remove(name);
  }

  function files() {
    const result = {};
    for (const [name, editor] of editors) result[name] = editor.getText();
    return result;
  }

  // The names of the files marked executable, as the protocol's `executable` lists them.
  function executable() {
    return modes.among(editors.keys());
  }

  function showMode(name) {
    tabs.setMark(name, modes.isExecutable(name) ? executableMark(t) : null);
  }

  function toggleExecutable() {
    const name = tabs.active;
    if (!name) return;
    modes.set(name, executableSwitch.checked);
    showMode(name);
    changed();
  }

  function changed() {
    updateFileButtons();
    onChange();
  }

  function onSelected(name) {
    const editor = editors.get(name);
    if (editor) editor.refresh(); // a CodeMirror view measured while hidden needs a fresh look
    updateFileButtons();
  }

  function updateFileButtons() {
    const fixed = tabs.active === DOCKERFILE;
    executableSwitch.checked = modes.isExecutable(tabs.active);
    executableSwitch.setAttribute("aria-label", t("executableSwitch", { name: tabs.active || "" }));
    $("file-rename").disabled = fixed;
    $("file-delete").disabled = fixed;
    $("file-add").disabled = editors.size >= rules.max_files;
  }

  // Why `name` cannot be a file here, in words, or null.
  function nameProblem(name, renaming) {
    const problem = fileNameProblem(name, [...editors.keys()].filter((other) => other !== renaming), rules);
    return problem && t(problem.key, problem.params);
  }

  async function addFile() {
    const name = await app.dialogs.askFileName(t("addFileTitle"), "", (text) => nameProblem(text, null));
    if (name === null) return;
    addTab(name, "");
    tabs.select(name);
    editors.get(name).focus();
    changed();
  }

  async function renameFile() {
    const old = tabs.active;
    if (!old || old === DOCKERFILE) return;
    const name = await app.dialogs.askFileName(t("renameFileTitle", { name: old }), old, (text) => nameProblem(text, old));
    if (name === null || name === old) return;
    tabs.rename(old, name);
    modes.rename(old, name);
    const editor = editors.get(old);
    editors = new Map([...editors].map(([key, value]) => [key === old ? name : key, value]));
    editor.setLanguage(languageFor(name));
    editor.setLabel(t("editorLabel", { name }));
    tabs.select(name, true);
    changed();
  }

  async function deleteFile() {
    const name = tabs.active;
    if (!name || name === DOCKERFILE) return;
    if (!(await app.dialogs.confirmAction(t("confirmDelete", { name }), t("delete")))) return;
    removeTab(name);
    tabs.select(DOCKERFILE, true);
    changed();
  }

  async function restoreStarter() {
    if (!(await app.dialogs.confirmAction(t("confirmRestoreStarter"), t("restore")))) return;
    replaceAll(app.data.starter || {}, app.data.starter_executable);
    app.messages.show(t("starterRestored"), "info");
  }

  // Puts a whole set of files, and which of them are executable, in the editor. Files that stay are changed in
  // place, so Ctrl-Z can take their text back.
  function replaceAll(newFiles, newExecutable) {
    for (const name of [...editors.keys()]) {
      if (!(name in newFiles) && name !== DOCKERFILE) removeTab(name);
    }
    for (const name of orderedNames(Object.keys(newFiles))) {
      const editor = editors.get(name);
      if (!editor) addTab(name, newFiles[name]);
      else if (editor.getText() !== newFiles[name]) editor.setText(newFiles[name]);
    }
    modes.replace(newExecutable);
    for (const name of editors.keys()) showMode(name);
    tabs.select(DOCKERFILE);
    changed();
  }

  function goToLine(line) {
    tabs.select(DOCKERFILE);
    editors.get(DOCKERFILE).goToLine(line);
  }

  // Whether the files are within the editor's limits; if not, the warning under the editor says which one.
  function checkLimits() {
    const problem = limitProblem(files(), rules, formatKb);
    app.state.limitProblem = problem && t(problem.key, problem.params);
    const box = $("limit-warning");
    box.textContent = app.state.limitProblem || "";
    box.hidden = !app.state.limitProblem;
    app.updateButtons();
    return !problem;
  }

  const fromDraft = app.data.files && Object.keys(app.data.files).length;
  const initial = fromDraft ? app.data.files : app.data.starter || {};
  for (const name of orderedNames(Object.keys(initial))) addTab(name, initial[name]);
  if (!editors.has(DOCKERFILE)) addTab(DOCKERFILE, "");
  modes.replace(fromDraft ? app.data.executable : app.data.starter_executable);
  for (const name of editors.keys()) showMode(name);
  tabs.select(DOCKERFILE);
  const clicks = { "file-add": addFile, "file-rename": renameFile, "file-delete": deleteFile, "restore-starter": restoreStarter };
  for (const [id, handler] of Object.entries(clicks)) $(id).addEventListener("click", handler);
  executableSwitch.addEventListener("change", toggleExecutable);

  return {
    files, executable, replaceAll, goToLine, checkLimits,
    setFindings: (marks) => editors.get(DOCKERFILE).setFindings(marks),
    focusDockerfile: () => editors.get(DOCKERFILE).focus(),
  };
}
