// Differences between two sets of files, line by line, as data the history panel draws. The line diff itself is
// jsdiff's (Myers' algorithm); this groups it into numbered hunks with a little context, as diff tools show it.
import { diffLines } from "diff";
import { orderedNames } from "./format.js";

const CONTEXT = 3;
// Past this many changed lines the diff would be slow to find and useless to read: show the whole files instead.
const MAX_EDIT_LENGTH = 2000;

function splitLines(text) {
  if (!text) return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

// [{op: " " | "-" | "+", text, a, b}] with the 1-based line number on each side (null where the line is absent).
// A missing newline at the end of a file is no difference worth a line.
export function lineDiff(oldText, newText) {
  const changes = diffLines(oldText, newText, { ignoreNewlineAtEof: true, maxEditLength: MAX_EDIT_LENGTH })
    || [{ removed: true, value: oldText }, { added: true, value: newText }];
  let a = 0;
  let b = 0;
  const ops = [];
  for (const change of changes) {
    const op = change.added ? "+" : change.removed ? "-" : " ";
    for (const text of splitLines(change.value)) {
      if (op !== "+") a += 1;
      if (op !== "-") b += 1;
      ops.push({ op, text, a: op === "+" ? null : a, b: op === "-" ? null : b });
    }
  }
  return ops;
}

// The changed lines with `context` unchanged lines around them, in groups that do not touch.
export function hunks(ops, context = CONTEXT) {
  const keep = ops.map(() => false);
  ops.forEach((item, index) => {
    if (item.op === " ") return;
    for (let k = Math.max(0, index - context); k <= Math.min(ops.length - 1, index + context); k += 1) keep[k] = true;
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

// {changed: [{name, onlyIn: "old" | "new" | null, hunks, mode}], unchanged: [name]}, files in the page's order.
// `mode` is {old, new} ("0644", "0755") for a file on both sides whose executable bit differs, else null; the
// executable lists are the names marked executable on each side.
export function compareFiles(oldFiles, newFiles, oldExecutable = [], newExecutable = []) {
  const names = orderedNames(new Set([...Object.keys(oldFiles), ...Object.keys(newFiles)]));
  const [oldModes, newModes] = [new Set(oldExecutable), new Set(newExecutable)];
  const changed = [];
  const unchanged = [];
  for (const name of names) {
    const [oldText, newText] = [oldFiles[name], newFiles[name]];
    const onlyIn = oldText === undefined ? "new" : newText === undefined ? "old" : null;
    const modeChanged = !onlyIn && oldModes.has(name) !== newModes.has(name);
    if (oldText === newText && !modeChanged) {
      unchanged.push(name);
      continue;
    }
    const mode = modeChanged ? { old: modeOf(oldModes, name), new: modeOf(newModes, name) } : null;
    changed.push({ name, onlyIn, hunks: hunks(lineDiff(oldText || "", newText || "")), mode });
  }
  return { changed, unchanged };
}

const modeOf = (executable, name) => (executable.has(name) ? "0755" : "0644");
