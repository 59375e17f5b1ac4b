import assert from "node:assert/strict";
import { test } from "node:test";
import { compareFiles, hunks, lineDiff } from "../src/diff.js";

const lines = (count, prefix = "line") => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

test("a changed line is removed then added, with the line number of each side", () => {
  assert.deepEqual(lineDiff("FROM a\nRUN x\nCMD y\n", "FROM a\nRUN z\nCMD y\n"), [
    { op: " ", text: "FROM a", a: 1, b: 1 },
    { op: "-", text: "RUN x", a: 2, b: null },
    { op: "+", text: "RUN z", a: null, b: 2 },
    { op: " ", text: "CMD y", a: 3, b: 3 },
  ]);
});

test("a missing newline at the end is no changed line", () => {
  assert.deepEqual(lineDiff("a\nb\n", "a\nb").filter((item) => item.op !== " "), []);
});

test("an empty side is all additions or all removals", () => {
  assert.deepEqual(lineDiff("", "a\nb\n").map((item) => [item.op, item.b]), [["+", 1], ["+", 2]]);
  assert.deepEqual(lineDiff("a\n", "").map((item) => [item.op, item.a]), [["-", 1]]);
});

test("hunks keep three lines of context and split where changes are far apart", () => {
  const before = lines(20).join("\n");
  const after = lines(20).map((text, index) => (index === 1 || index === 17 ? `${text} changed` : text)).join("\n");
  const groups = hunks(lineDiff(before, after));
  assert.equal(groups.length, 2);
  assert.deepEqual(groups[0].map((item) => item.a ?? item.b), [1, 2, 2, 3, 4, 5]);
  assert.deepEqual(groups[1].map((item) => item.a ?? item.b), [15, 16, 17, 18, 18, 19, 20]);
});

test("changes close together share one hunk", () => {
  const after = lines(10).map((text, index) => (index === 2 || index === 7 ? "new" : text)).join("\n");
  assert.equal(hunks(lineDiff(lines(10).join("\n"), after)).length, 1);
});

test("files far too different to diff are shown whole: every old line removed, every new line added", () => {
  const diff = lineDiff(lines(3000, "old").join("\n"), lines(3000, "new").join("\n"));
  assert.equal(diff.length, 6000);
  assert.deepEqual([diff[0].op, diff[2999].op, diff[3000].op], ["-", "-", "+"]);
});

test("files are compared by name: changed, only on one side, unchanged, Dockerfile first", () => {
  const result = compareFiles(
    { Dockerfile: "FROM a\n", "app.py": "print(1)\n", "old.txt": "x\n" },
    { Dockerfile: "FROM b\n", "app.py": "print(1)\n", "new.txt": "y\n" },
  );
  assert.deepEqual(result.unchanged, ["app.py"]);
  assert.deepEqual(result.changed.map((file) => [file.name, file.onlyIn]), [["Dockerfile", null], ["new.txt", "new"], ["old.txt", "old"]]);
  assert.deepEqual(result.changed[1].hunks, [[{ op: "+", text: "y", a: null, b: 1 }]]);
});

test("a file whose executable bit alone changed is a change with its modes and no lines", () => {
  const files = { Dockerfile: "FROM a\n", "run.sh": "echo\n", "tool.sh": "echo\n" };
  const result = compareFiles(files, { ...files, "tool.sh": "echo 2\n" }, ["tool.sh"], ["run.sh", "tool.sh"]);
  assert.deepEqual(result.unchanged, ["Dockerfile"]);
  assert.deepEqual(result.changed.map((file) => [file.name, file.mode, file.hunks.length]),
    [["run.sh", { old: "0644", new: "0755" }, 0], ["tool.sh", null, 1]]);
});

test("a file on one side only has no mode change of its own", () => {
  const result = compareFiles({ Dockerfile: "FROM a\n" }, { Dockerfile: "FROM a\n", "run.sh": "echo\n" }, [], ["run.sh"]);
  assert.deepEqual(result.changed.map((file) => [file.name, file.onlyIn, file.mode]), [["run.sh", "new", null]]);
});
