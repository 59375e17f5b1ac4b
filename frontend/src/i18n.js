// The page's words in the learner's language. The strings come from the server (gettext, sent with json_script);
// nothing here knows a translation.

// createI18n(strings, language): t("key", {n: 1}) fills {n} into the string; a missing key shows itself, visible
// but not fatal. localize() picks the page language from a {"en", "zh-hans"} text of the protocol.
export function createI18n(strings, language) {
  const lang = language === "zh-hans" ? "zh-hans" : "en";
  const locale = lang === "zh-hans" ? "zh-Hans" : "en";
  const numberFormat = new Intl.NumberFormat(locale);
  const timeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });

  function t(key, params = {}) {
    const template = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  // Texts from the server come as {"en": ..., "zh-hans": ...}; some (hadolint's advice) are plain strings.
  function localize(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    return value[lang] || value.en || Object.values(value)[0] || "";
  }

  function time(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso || "" : timeFormat.format(date);
  }

  return { language: lang, t, localize, time, number: (value) => numberFormat.format(value) };
}
