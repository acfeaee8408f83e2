// What the administration's sections share: the page's state, its words (the "admin" part of ../text), saying what
// an action did or why it was refused, and the department tree as options.
import { $, clear, el } from "../core/dom.js";
import { dateTime, textOf } from "../core/text.js";
import { api } from "../core/api.js";
import { treeOrder } from "../core/departments.js";

export const t = textOf("admin");

export const roles = ["handler", "lead", "supervisor", "admin"];
export const channelKinds = ["wecom", "dingtalk", "webhook"];

/** The page's state: the administrator signed in, the departments, people and definitions read, the access log's next
 * page, and the calendars and the year whose grid is shown. */
export const state = { user: null, departments: [], people: [], definitions: null, logNext: null, calendars: null, gridYear: null };

/** A small button with the words of `key`. */
export const button = (key, onclick, cls = "secondary small") => el("button", { type: "button", class: cls, text: t(key), onclick });
/** A moment as the office reads it (24-hour), or "never". */
export const when = (at) => (at ? dateTime(at, { hour12: false }) : t("never"));
/** A day of the browser's calendar as yyyy-MM-dd. */
export const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/** Says what an action did, above the section. */
export function say(message) {
  $("failure").hidden = true;
  $("status").textContent = message;
  $("status").hidden = !message;
}

/** Says why something failed, above the section, in the server's words. */
export function fail(error) {
  $("status").hidden = true;
  $("failure").textContent = error instanceof Error ? error.message : String(error);
  $("failure").hidden = false;
  window.scrollTo({ top: 0 });
}

/** Runs an action, saying what it did or what went wrong; the refusal's words are the server's. */
export async function act(work, done) {
  try {
    const result = await work();
    if (done) say(typeof done === "function" ? done(result) : done);
    return result;
  } catch (e) {
    if (e.status !== 401) fail(e);
    return undefined;
  }
}

/** Reads the departments (all of them: the administration sees every one). */
export async function loadDepartments() {
  state.departments = await api("/api/admin/departments");
  return state.departments;
}

/** Fills a select with the departments in tree order, indented (a blank first if asked, some left out). */
export function departmentOptions(select, { blank, exclude = new Set(), selected } = {}) {
  clear(select);
  if (blank) select.append(el("option", { value: "", text: blank }));
  for (const { department, depth } of treeOrder(state.departments).ordered) {
    if (exclude.has(department.id)) continue;
    select.append(el("option", { value: String(department.id), text: `${"　".repeat(depth)}${department.name}`, selected: department.id === selected }));
  }
}
