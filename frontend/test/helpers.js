// What the tests share: a translator whose output shows the key and the values it was given.
import { createI18n } from "../src/i18n.js";

// t("stepOf", {step: 1, total: 2}) -> "stepOf(step=1,total=2)", so a test sees which string went where.
export function keyedI18n() {
  const t = (key, params = {}) => {
    const values = Object.entries(params).map(([name, value]) => `${name}=${value}`).join(",");
    return values ? `${key}(${values})` : key;
  };
  return { ...createI18n({}, "en"), t };
}
