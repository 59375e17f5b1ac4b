// A cache_miss event (docs/insight.md) as terminal lines: why the step missed the cache, what changed (files with
// their old and new content digests, and modes where those changed; ENV/ARG values), and an order of instructions
// that would have kept it.
import { el } from "./dom.js";

const NONE = "∅";

const shortDigest = (digest) => (digest ? String(digest).replace(/^sha256:/, "").slice(0, 12) : NONE);

// "0644 → 0755" for a file whose mode alone changed (a chmod +x), its digests otherwise, and both when both did.
function fileChange(file) {
  const modes = `${file.old_mode ?? NONE} → ${file.new_mode ?? NONE}`;
  const digests = `${shortDigest(file.old)} → ${shortDigest(file.new)}`;
  if (!file.old_mode || !file.new_mode || file.old_mode === file.new_mode) return digests;
  return file.old === file.new ? modes : `${digests} (${modes})`;
}

export function cacheMissLines(event, localize) {
  const lines = [{ text: localize(event.message), style: "info" }];
  for (const file of Array.isArray(event.files) ? event.files : []) {
    lines.push({ text: `  ${file.path}: ${fileChange(file)}`, style: "dim" });
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

// A link from a stored attempt to the page that shows its image from inside; none for a publish, which built
// nothing of its own, or on a page that was not given the address.
export function insightLink(app, attempt) {
  const pattern = app.data.urls && app.data.urls.insight;
  if (!pattern || attempt.kind === "publish") return null;
  const href = pattern.replace(/\/0(\/?)$/, `/${encodeURIComponent(attempt.id)}$1`);
  return el("a", { href, text: app.i18n.t("exploreImage") });
}
