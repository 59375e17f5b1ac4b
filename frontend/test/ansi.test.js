import assert from "node:assert/strict";
import { test } from "node:test";
import { logLines, stripAnsi, terminalText, wrapWords } from "../src/ansi.js";

test("a batched log event is one terminal line per line it carries", () => {
  assert.deepEqual(logLines("Step 1\nStep 2\n\nlast"), ["Step 1", "Step 2", "", "last"]);
  assert.deepEqual(logLines("one line"), ["one line"]);
  assert.deepEqual(logLines(undefined), [""]);
});

test("the lines of an event go to the terminal as one write, each coloured by its stream and ended", () => {
  const text = terminalText([{ text: "out", style: "plain" }, { text: "err", style: "error" }, { text: "?", style: "odd" }]);
  assert.equal(text, "out\r\n\x1b[31merr\x1b[0m\r\n?\r\n");
});

test("copied output has no colour codes", () => {
  assert.equal(stripAnsi("\x1b[1;32mPASS\x1b[0m done \x1b[?25l"), "PASS done ");
});

test("long lines break between words at the terminal's width, never mid-word", () => {
  assert.deepEqual(wrapWords("the quick brown fox jumps", 10), ["the quick", "brown fox", "jumps"]);
  assert.deepEqual(wrapWords("short", 10), ["short"]);
  assert.deepEqual(wrapWords("anything", 0), ["anything"]);
});

test("a word longer than a row is cut where the row ends; colour codes take no room", () => {
  assert.deepEqual(wrapWords("abcdefghijkl xy", 5), ["abcde", "fghij", "kl xy"]);
  assert.deepEqual(wrapWords("\x1b[31mred red\x1b[0m", 4), ["\x1b[31mred", "red\x1b[0m"]);
});

test("Chinese text, two columns a character, may break between any two characters", () => {
  assert.deepEqual(wrapWords("镜像是文件加说明", 6), ["镜像是", "文件加", "说明"]);
  assert.deepEqual(wrapWords("构建 layer 成功", 7), ["构建", "layer", "成功"]);
});

test("the terminal's text wraps each line at the width it is given", () => {
  assert.equal(terminalText([{ text: "one two", style: "plain" }], 4), "one\r\ntwo\r\n");
});
