// A cache_miss event (docs/insight.md) as terminal lines: why the step missed the cache, what changed (files with
// their old and new content digests, ENV/ARG values), and an order of instructions that would have kept it.
const NONE = "∅";

const shortDigest = (digest) => (digest ? String(digest).replace(/^sha256:/, "").slice(0, 12) : NONE);

export function cacheMissLines(event, localize) {
  const lines = [{ text: localize(event.message), style: "info" }];
  for (const file of Array.isArray(event.files) ? event.files : []) {
    lines.push({ text: `  ${file.path}: ${shortDigest(file.old)} → ${shortDigest(file.new)}`, style: "dim" });
  }
  for (const variable of Array.isArray(event.variables) ? event.variables : []) {
    lines.push({ text: `  ${variable.name}: ${variable.old ?? NONE} → ${variable.new ?? NONE}`, style: "dim" });
  }
  if (Array.isArray(event.suggestion) && event.hint) {
    lines.push({ text: localize(event.hint), style: "dim" });
    for (const instruction of event.suggestion) lines.push({ text: `    ${instruction}`, style: "dim" });
  }
  return lines;
}
