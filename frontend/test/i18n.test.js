import assert from "node:assert/strict";
import { test } from "node:test";
import { createI18n } from "../src/i18n.js";

test("t fills in the values a string names and leaves unknown ones visible", () => {
  const { t } = createI18n({ queued: "Attempt #{id}: number {position}, {unknown}" }, "en");
  assert.equal(t("queued", { id: 7, position: 2 }), "Attempt #7: number 2, {unknown}");
});

test("a key the server did not send shows itself instead of failing", () => {
  assert.equal(createI18n({}, "en").t("missingKey"), "missingKey");
});

test("a key named like an Object property is not taken from the prototype", () => {
  assert.equal(createI18n({}, "en").t("constructor"), "constructor");
});

test("localize picks the page language, falls back to English, and passes plain text through", () => {
  const zh = createI18n({}, "zh-hans");
  assert.equal(zh.localize({ en: "Finished.", "zh-hans": "已完成。" }), "已完成。");
  assert.equal(zh.localize({ en: "Only English." }), "Only English.");
  assert.equal(zh.localize("hadolint advice"), "hadolint advice");
  assert.equal(zh.localize(null), "");
});

test("any language but Chinese is English, numbers and times follow it", () => {
  const en = createI18n({}, "fr");
  assert.equal(en.language, "en");
  assert.equal(en.number(12345), "12,345");
  assert.equal(en.time("not a date"), "not a date");
  assert.match(createI18n({}, "zh-hans").time("2026-01-02T03:04:00Z"), /2026年1月2日/);
});
