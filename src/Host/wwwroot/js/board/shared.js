// What the views of the board's page share: who is signed in and what was read at sign-in, the lights in words, the
// step names, going to another address of the page, and limits said in words. The page's routing (main.js) sets the
// router navigate() goes through.
import { el } from "../core/dom.js";
import { dateTime, lang, textOf } from "../core/text.js";
import { symbols } from "../core/lights.js";

export const t = textOf("board");

// The reports page: the statistics shown, how its department tree is sorted and folded, whose score is opened, the
// tab, the circulations listed and the one just generated. Signing out forgets it.
export function freshReports() {
  return { data: null, sort: { key: "name", dir: 1 }, expanded: new Set(), breakdown: null, tab: "departments", circulations: [], made: null };
}

/** The page's state: the person signed in, the definitions and departments read at sign-in, the board and its
 * filters, folding and sorting, the list opened from it, the live connection and the reports page's state. */
export const state = {
  user: null,
  board: null,
  expanded: new Set(),
  sort: { key: "name", dir: 1 },
  filters: {},
  list: null,
  definitions: [],
  departments: [],
  events: null,
  reports: freshReports(),
};

export const isSupervisor = () => !!state.user && state.user.role === "supervisor";

let router = async () => {};

/** Sets what showing an address does (main.js's route). */
export function setRouter(route) {
  router = route;
}

/** Goes to another address of the page without reloading it. */
export function navigate(path) {
  if (location.pathname + location.search !== path) history.pushState(null, "", path);
  return router().catch(showError);
}

/** Makes a link to an address of the page followed without reloading (in a new tab with ctrl, cmd or shift). */
export function followWithin(link, path) {
  link.addEventListener("click", (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(path);
  });
  return link;
}

/** A link to an address of the page, followed without reloading. */
export const pageLink = (path, props = {}, ...children) => followWithin(el("a", { ...props, href: path }, ...children), path);

/** A failure nobody is waiting on: a lost session has already shown the sign-in. */
export function showError(error) {
  if (error && error.status === 401) return;
  console.error(error);
}

/** A light in shape and words ("■ 红灯"), seriously overdue and paused said as such. */
export function lightWords(light, serious, paused) {
  const key = light === "red" && serious ? "serious" : light;
  return `${symbols[key] || ""} ${t(key)}${paused ? t("pausedFlag") : ""}`.trim();
}

/** A light as a coloured badge carrying its shape and word. */
export function lightBadge(light, serious, paused) {
  const key = light === "red" && serious ? "serious" : light;
  return el("span", { class: `light light-${key}`, text: lightWords(light, serious, paused) });
}

/** A step's or consultation's own light, apart from the reply light: its colour and shape, and the words "step limit". */
export function stepBadge(light) {
  return el("span", { class: `light light-${light} step-light`, "data-step-light": light, title: t("stepLimit"), text: `${t("stepLimit")} ${lightWords(light, false, false)}` });
}

/** "disclosure-request v1" -> its definition (the newest of that id is what /api/definitions lists). */
export const definitionOf = (name) => state.definitions.find((d) => d.id === String(name || "").split(" ")[0]);

/** A step's name in the language shown, looked up in the item's definition first. */
export function stepName(id, definition) {
  for (const d of definition ? [definition, ...state.definitions] : state.definitions) {
    const step = d.steps.find((s) => s.id === id);
    if (step) return lang === "zh" ? step.name : step.nameEn;
  }
  return id;
}

/** A name the server gives in both languages ({ zh, en }) in the language shown. */
export const named = (name) => (lang === "zh" ? name.zh : name.en);

// A span as the server sends it ({ count, unit, noRoll }) in words.
const spanKeys = { "working-days": "limitWorkingDays", "calendar-days": "limitCalendarDays", months: "limitMonths", hours: "limitHours", minutes: "limitMinutes" };

/** A span ({ count, unit, noRoll }) in words: "20个工作日", "1 month, not rolled". */
export function spanWords(span) {
  const key = span.unit === "months" && span.count === 1 ? "limitMonth" : spanKeys[span.unit];
  const words = key ? t(key, span.count) : `${span.count} ${span.unit}`;
  return span.noRoll ? `${words}${t("noRoll")}` : words;
}

/** The due day as the server gave it, marked when a year without a published holiday arrangement decides it. */
export function dueCell(item) {
  const text = item.dueAt ? dateTime(item.dueAt) : item.dueOn || "—";
  const years = item.provisionalYears || [];
  if (years.length === 0) return [document.createTextNode(text)];
  return [document.createTextNode(text + " "), el("span", { class: "provisional", "data-provisional": years.join(","), title: t("provisionalDue", years.join("、")), text: t("provisional") })];
}
