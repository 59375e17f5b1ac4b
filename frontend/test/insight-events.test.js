import assert from "node:assert/strict";
import { test } from "node:test";
import { insightLink } from "../src/insight-events.js";
import { applyEvent, emptyOutput } from "../src/output-state.js";
import { keyedI18n } from "./helpers.js";

const i18n = keyedI18n();
const MISS = {
  type: "cache_miss", attempt: 42, step: 4, line: 4, instruction: "COPY app.py .", reason: "files",
  files: [{ path: "app.py", old: "sha256:aaaaaaaaaaaaffff", new: "sha256:bbbbbbbbbbbbffff" }], variables: [],
  suggestion: ["FROM layerlab/python", "RUN pip install flask", "COPY app.py ."],
  message: { en: "Step 4 (line 4) missed the cache: the files it copies changed: app.py.", "zh-hans": "第 4 步" },
  hint: { en: "This order would have kept the cache:", "zh-hans": "按这个顺序写" },
};

test("a cache miss tells the terminal why, which file changed and an order that keeps the cache", () => {
  const state = emptyOutput(i18n, 42, "try", true);
  const { state: after, lines } = applyEvent(state, MISS, i18n);
  assert.equal(after, state);
  assert.deepEqual(lines.map((item) => item.text), [
    "Step 4 (line 4) missed the cache: the files it copies changed: app.py.",
    "  app.py: aaaaaaaaaaaa → bbbbbbbbbbbb",
    "This order would have kept the cache:",
    "    FROM layerlab/python", "    RUN pip install flask", "    COPY app.py .",
  ]);
});

test("a file whose mode alone changed shows its modes, one whose content and mode changed both", () => {
  const files = [
    { path: "run.sh", old: "sha256:aaaaaaaaaaaa", new: "sha256:aaaaaaaaaaaa", old_mode: "0644", new_mode: "0755" },
    { path: "app.sh", old: "sha256:aaaaaaaaaaaa", new: "sha256:bbbbbbbbbbbb", old_mode: "0755", new_mode: "0644" },
    { path: "new.sh", old: null, new: "sha256:cccccccccccc", old_mode: null, new_mode: "0755" },
  ];
  const event = { ...MISS, files, suggestion: null, hint: null };
  assert.deepEqual(applyEvent(emptyOutput(i18n, 42, "try", true), event, i18n).lines.map((item) => item.text).slice(1), [
    "  run.sh: 0644 → 0755", "  app.sh: aaaaaaaaaaaa → bbbbbbbbbbbb (0755 → 0644)", "  new.sh: ∅ → cccccccccccc",
  ]);
});

test("a changed variable shows its old and new value, and no suggestion means no heading", () => {
  const event = { ...MISS, reason: "variables", files: [], suggestion: null, hint: null,
    variables: [{ name: "GREETING", old: "hi", new: null }] };
  assert.deepEqual(applyEvent(emptyOutput(i18n, 42, "try", true), event, i18n).lines.map((item) => item.text),
    [MISS.message.en, "  GREETING: hi → ∅"]);
});

test("a stored attempt links to the page of its image, a publish does not", () => {
  globalThis.document = { createElement: (tag) => ({
    tag, attributes: {}, setAttribute(name, value) { this.attributes[name] = value; }, append() {},
  }) };
  try {
    const app = { data: { urls: { insight: "/insight/attempts/0/" } }, i18n };
    const link = insightLink(app, { id: 42, kind: "try" });
    assert.equal(link.attributes.href, "/insight/attempts/42/");
    assert.equal(link.textContent, "exploreImage");
    assert.equal(insightLink(app, { id: 43, kind: "publish" }), null);
  } finally {
    delete globalThis.document;
  }
});
