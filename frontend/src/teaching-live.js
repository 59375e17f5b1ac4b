// The class matrix kept live: the dashboard's socket brings each attempt's news (teaching.live); a graded one
// adds to its learner's cell, kept in the cell's data attributes, and every one goes to the top of the activity feed.
import { $, el } from "./dom.js";
import { cellAfter, cellParts, feedText } from "./teaching-cells.js";

const FEED_LENGTH = 30;
const RETRY_MS = 3000;

function drawCell(td, cell, t, time) {
  const parts = cellParts(cell, t);
  td.className = `cell ${parts.status}`;
  const children = [];
  if (parts.score) children.push(el("span", { class: "score", text: parts.score }), " ",
    el("time", { datetime: parts.when, text: time(parts.when) }));
  else if (parts.attempts) children.push(parts.attempts);
  else children.push(el("span", { class: "muted", text: "—" }));
  if (parts.late) children.push(" ", el("span", { class: "late", text: t("late") }));
  td.replaceChildren(...children);
}

// A cell's numbers as the page keeps them in its data attributes (teaching's matrix_cell writes them first).
const CELL_STATE = { attempts: "attempts", late_attempts: "lateAttempts", best_score: "bestScore",
  max_score: "maxScore", passed_at: "passedAt", due_at: "dueAt" };
const COUNTS = new Set(["attempts", "late_attempts"]); // absent: none yet
const NUMBERS = new Set([...COUNTS, "best_score", "max_score"]);

function readCell(td) {
  const cell = {};
  for (const [name, key] of Object.entries(CELL_STATE)) {
    const value = td.dataset[key];
    if (value === undefined) cell[name] = COUNTS.has(name) ? 0 : null;
    else cell[name] = NUMBERS.has(name) ? Number(value) : value;
  }
  return cell;
}

function writeCell(td, cell) {
  for (const [name, key] of Object.entries(CELL_STATE)) {
    if (cell[name] === null || cell[name] === undefined) delete td.dataset[key];
    else td.dataset[key] = String(cell[name]);
  }
}

// The row's "passed" column: its passed cells out of all its cells.
function recount(row) {
  const cells = row.querySelectorAll("td.cell");
  const passed = row.querySelectorAll("td.cell.passed");
  row.querySelector(".passed-count").textContent = `${passed.length}/${cells.length}`;
}

function addToFeed(event, data, t) {
  const feed = $("feed");
  const link = el("a", { href: data.attempt_url.replace(/0\/$/, `${event.attempt}/`), text: `#${event.number}` });
  feed.prepend(el("li", { "data-attempt": event.attempt, "data-event": event.event }, link, " ", feedText(event, t)));
  while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
}

export function startLive(data, { t, time }) {
  const status = $("live-status");
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${data.ws}`);
    socket.onopen = () => { status.textContent = t("connected"); status.dataset.state = "open"; };
    socket.onclose = (close) => {
      status.textContent = t("disconnected");
      status.dataset.state = "closed";
      if (close.code !== 4401 && close.code !== 4403) setTimeout(connect, RETRY_MS);
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.type !== "activity") return;
      addToFeed(event, data, t);
      const td = document.querySelector(`td.cell[data-learner="${event.learner}"][data-exercise="${event.exercise}"]`);
      if (td && event.event === "result" && event.graded) {
        const cell = cellAfter(readCell(td), event);
        writeCell(td, cell);
        drawCell(td, cell, t, time);
        recount(td.closest("tr"));
      }
    };
  }
  connect();
}
