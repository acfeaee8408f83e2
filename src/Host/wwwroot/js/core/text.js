// The page's language and its words. The words themselves are in ../text/zh.js and ../text/en.js, by part (board,
// admin, wall, diagram); a module asks for its part's `t` with textOf(part). The choice is kept in the browser and,
// for the server's own pages (the jobs dashboard), in a cookie.
import zh from "../text/zh.js";
import en from "../text/en.js";

const tables = { zh, en };

/** The language shown: "zh" or "en". */
export let lang = localStorage.getItem("supervision.lang") === "en" ? "en" : "zh";

/** Chooses the language, for this page and the next ones. */
export function setLang(next) {
  lang = next === "en" ? "en" : "zh";
  localStorage.setItem("supervision.lang", lang);
}

/** A part's words: t(key, ...args) fills {0}, {1}… with the args; a key missing in English is said in Chinese. */
export function textOf(part) {
  return (key, ...args) => {
    const text = tables[lang][part]?.[key] ?? tables.zh[part]?.[key] ?? key;
    return args.reduce((s, a, i) => s.replace(`{${i}}`, String(a)), text);
  };
}

/** A part's words as they are written (nested ones included), in the language given or the one shown. */
export const wordsOf = (part, language = lang) => tables[language][part];

/** Whether a part has words for a key (the page falls back to the server's own words when not). */
export const hasText = (part, key) => key in tables.zh[part];

/** The browser locale of the language shown, for dates and times. */
export const locale = () => (lang === "zh" ? "zh-CN" : "en-GB");

/** A moment as the office reads it. */
export const dateTime = (at, options) => new Date(at).toLocaleString(locale(), options);

/** Says the page in the language shown: its lang attribute, its title and every [data-i18n] node; the cookie for the
 * server's pages. */
export function applyPageLanguage(t) {
  document.cookie = `supervision.lang=${lang}; path=/; max-age=31536000; samesite=lax`;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  const toggle = document.getElementById("lang");
  if (toggle) toggle.textContent = lang === "zh" ? "English" : "中文";
}
