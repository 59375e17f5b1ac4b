// The instructors' dashboard: the live class matrix and the statistics charts. Bundled by build.sh into
// static/vendor/teaching.js; the page sends its data and texts with json_script.
import { drawCharts } from "./teaching-charts.js";
import { createI18n } from "./i18n.js";
import { startLive } from "./teaching-live.js";

function pageJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

document.addEventListener("DOMContentLoaded", () => {
  const data = pageJson("teaching-data");
  if (data) startLive(data, createI18n(data.strings, document.documentElement.lang === "zh-Hans" ? "zh-hans" : "en"));
  const charts = pageJson("charts");
  if (charts) drawCharts(charts);
});
