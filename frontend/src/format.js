// How the page writes durations, sizes, layer ids and lists of files. Pure functions of their arguments.

export const DOCKERFILE = "Dockerfile";

export function formatSeconds(t, seconds) {
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 0.01) return t("seconds", { n: "<0.01" });
  if (seconds < 1) return t("seconds", { n: seconds.toFixed(2) });
  if (seconds < 60) return t("seconds", { n: seconds.toFixed(1) });
  return t("minutes", { n: Math.round(seconds / 60) });
}

// The queue's estimate: whole seconds or minutes, and "a moment" below one second.
export function formatWait(t, seconds) {
  if (!Number.isFinite(seconds) || seconds < 1) return t("waitShort");
  return seconds < 60 ? t("seconds", { n: Math.round(seconds) }) : t("minutes", { n: Math.round(seconds / 60) });
}

export const formatKb = (bytes) => `${Math.round(bytes / 1024)} KB`;

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return formatKb(bytes);
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// Layer ids are short already ("abc123def456"); an image named by its digest is cut to the same length.
export function shortLayer(layer) {
  return layer.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*$/, "$1");
}

// Dockerfile first, then the other files by name, so tabs and diffs list them the same way every time.
export function orderedNames(names) {
  const all = [...names];
  const rest = all.filter((name) => name !== DOCKERFILE).sort();
  return all.includes(DOCKERFILE) ? [DOCKERFILE, ...rest] : rest;
}

export function kindLabel(t, kind) {
  return { submit: t("kindSubmit"), try: t("kindTry"), publish: t("kindPublish") }[kind] || "";
}

// "Attempt #42 · Submit" above the output; the kind is unknown for a moment after a reload.
export function sourceLabel(t, id, kind, isLive) {
  if (!kind) return t("attemptN", { id });
  return t(isLive ? "showingLive" : "showingStored", { id, kind: kindLabel(t, kind) });
}
