import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFrame, reconnectDelay, socketUrl } from "../src/socket.js";

test("reconnecting waits twice as long each time, up to 30 s, give or take a fifth", () => {
  assert.equal(reconnectDelay(0, () => 0.5), 1000);
  assert.equal(reconnectDelay(3, () => 0.5), 8000);
  assert.equal(reconnectDelay(20, () => 0.5), 30000);
  assert.equal(reconnectDelay(0, () => 0), 800);
  assert.equal(reconnectDelay(0, () => 0.9999), 1200);
});

test("only JSON objects with a type are frames", () => {
  assert.deepEqual(parseFrame('{"type": "lint", "findings": []}'), { type: "lint", findings: [] });
  for (const raw of ["not json", "null", "[]", '"text"', '{"type": 3}', "{}"]) assert.equal(parseFrame(raw), null, raw);
});

test("the socket follows the page's scheme", () => {
  assert.equal(socketUrl({ protocol: "https:", host: "example.org" }, "/ws/sandbox/"), "wss://example.org/ws/sandbox/");
  assert.equal(socketUrl({ protocol: "http:", host: "127.0.0.1:8000" }, "/ws/sandbox/"), "ws://127.0.0.1:8000/ws/sandbox/");
});
