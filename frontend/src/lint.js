// The Lint panel: the findings of a `lint` frame, listed and marked in the Dockerfile's editor.
import { $, el, lineButton } from "./dom.js";

const LEVELS = ["error", "warning", "info", "style"];

// app: {i18n, workspace}.
export function createLint(app) {
  const { t, localize } = app.i18n;

  function showPending() {
    $("lint-summary").textContent = t("linting");
    $("lint-panel").hidden = false;
  }

  function show(findings) {
    $("lint-panel").hidden = false;
    $("lint-findings").replaceChildren(...findings.map(item));
    $("lint-summary").textContent = findings.length ? t("lintCount", { n: findings.length }) : t("lintClean");
    app.workspace.setFindings(findings.map((f) => ({ line: f.line, level: f.level, message: `${f.code}: ${localize(f.message)}` })));
  }

  function item(finding) {
    const level = LEVELS.includes(finding.level) ? finding.level : "info";
    return el("li", { class: `finding level-${level}` },
      el("span", { class: `badge level-${level}`, text: t(`level_${level}`) }), " ",
      Number.isInteger(finding.line) && finding.line > 0 ? lineButton(t, finding.line, app.workspace.goToLine) : null, " ",
      el("code", { text: finding.code || "" }), " ",
      el("span", { text: localize(finding.message) }));
  }

  return { show, showPending };
}
