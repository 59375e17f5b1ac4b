// The statistics pages' charts, drawn with Chart.js from what the page sends (teaching.statistics): each
// <canvas data-chart="i"> draws charts[i], a bar chart of labels and values. The table beside it holds the same
// numbers, with the links behind them.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export function chartConfig(chart, colour) {
  const valueAxis = { beginAtZero: true, ticks: { precision: 0 }, ...(chart.max ? { max: chart.max } : {}) };
  return {
    type: "bar",
    data: { labels: chart.labels, datasets: [{ label: chart.label, data: chart.values, backgroundColor: colour }] },
    options: {
      indexAxis: chart.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: chart.horizontal ? { x: valueAxis } : { y: valueAxis },
    },
  };
}

export function drawCharts(charts) {
  const colour = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#0a5fb4";
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const chart = charts[Number(canvas.dataset.chart)];
    if (chart && chart.values.length) new Chart(canvas, chartConfig(chart, colour));
  }
}
