import assert from "node:assert/strict";
import { test } from "node:test";
import { createModes, executableMark } from "../src/modes.js";

test("a file is executable once marked and until unmarked, like chmod +x and chmod -x", () => {
  const modes = createModes(["entrypoint.sh"]);
  assert.equal(modes.isExecutable("entrypoint.sh"), true);
  assert.equal(modes.isExecutable("app.py"), false);
  modes.set("app.py", true);
  modes.set("entrypoint.sh", false);
  assert.deepEqual(modes.among(["Dockerfile", "app.py", "entrypoint.sh"]), ["app.py"]);
});

test("the mark follows a rename and goes with a deleted file", () => {
  const modes = createModes(["run.sh", "tool"]);
  modes.rename("run.sh", "bin/run.sh");
  modes.rename("notes.txt", "readme.txt"); // an unmarked file stays unmarked
  modes.remove("tool");
  assert.deepEqual(modes.among(["bin/run.sh", "readme.txt", "tool", "run.sh"]), ["bin/run.sh"]);
});

test("only files that exist are sent, sorted, each once", () => {
  const modes = createModes(["z.sh", "a.sh", "gone.sh"]);
  modes.set("a.sh", true);
  assert.deepEqual(modes.among(["a.sh", "z.sh"]), ["a.sh", "z.sh"]);
});

test("restoring a set of files restores their marks and nothing else", () => {
  const modes = createModes(["mine.sh"]);
  modes.replace(["greet.sh"]);
  assert.deepEqual(modes.among(["mine.sh", "greet.sh"]), ["greet.sh"]);
  modes.replace(undefined); // an attempt from before the marks were kept
  assert.deepEqual(modes.among(["greet.sh"]), []);
});

test("an executable file's tab is marked in the page's words", () => {
  const t = (key) => `<${key}>`;
  assert.deepEqual(executableMark(t), { text: "+x", title: "<executableTitle>" });
});
