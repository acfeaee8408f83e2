// Holiday arrangements (/admin/calendars): each year's source (the State Council's notice stored, the law alone,
// built in), its month grid, and a new notice pasted, previewed and applied (deadlines recomputed by a job).
import { api, followJob } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { lang } from "../core/text.js";
import { act, day, fail, say, state, t, when } from "./shared.js";

export async function showCalendars() {
  state.calendars = await api("/api/admin/calendars");
  const list = clear($("calendar-years"));
  for (const y of state.calendars.years) {
    const detail = y.source === "stored" ? t("storedBy", y.storedBy, when(y.storedAt)) : t(`source.${y.source}`);
    list.append(el("li", { "data-year": String(y.year), class: state.gridYear === y.year ? "current" : null },
      el("button", { type: "button", class: "link year", text: String(y.year), onclick: () => showYear(y.year) }),
      el("span", { class: `tag source-${y.source}`, text: t(`source.${y.source}`) }),
      el("div", { class: "muted", text: `${y.source === "stored" ? detail + " · " : ""}${t("workingDaysIn", y.workingDays)} · ${t("daysOffMakeUp", y.daysOff, y.makeUpDays)}` })));
  }
  renderChanges();
  const form = $("notice-form").elements;
  if (!form.year.value) {
    const provisional = state.calendars.years.filter((y) => y.provisional).map((y) => y.year);
    form.year.value = String(provisional.length ? Math.min(...provisional) : new Date().getFullYear() + 1);
  }
  await showYear(state.gridYear || Number(form.year.value));
}

function renderChanges() {
  const table = $("calendar-changes");
  clear(table.tHead).append(el("tr", {}, ...["version", "year", "changedBy", "changedAt", "dates", "recomputed"].map((k) => el("th", { text: t(k) }))));
  const body = clear(table.tBodies[0]);
  for (const c of state.calendars.changes) {
    body.append(el("tr", {}, el("td", { class: "num", text: String(c.version) }), el("td", { text: String(c.year) }), el("td", { text: c.changedBy }),
      el("td", { text: when(c.changedAt) }), el("td", { class: "num", text: String(c.changedDates) }),
      el("td", { text: c.recomputed ? `${t("done")} · ${t("itemsMoved", c.itemsRecomputed, c.dueDaysMoved, c.lightsChanged)}` : t("pending") })));
  }
}

async function showYear(year) {
  state.gridYear = year;
  for (const li of document.querySelectorAll("#calendar-years li")) li.classList.toggle("current", Number(li.dataset.year) === year);
  const found = await api(`/api/calendars/${year}`);
  const off = new Set();
  for (const h of found.holidays) for (let d = new Date(`${h.from}T00:00:00`); day(d) <= h.to; d.setDate(d.getDate() + 1)) off.add(day(d));
  renderGrid(year, off, new Set(found.makeUpDays.map((m) => m.date)), new Set(), t("gridTitle", year) + (found.provisional ? `（${t("source.provisional")}）` : ""));
}

// The year as twelve month grids, Monday first: days off filled, make-up working days outlined in the day-off
// colour, weekends light, changed dates ringed.
function renderGrid(year, off, workdays, changed, title) {
  $("grid-title").textContent = title;
  $("grid-legend").textContent = t("legendGrid");
  const grid = clear($("calendar-grid"));
  const names = t("weekdays");
  for (let m = 0; m < 12; m++) {
    const table = el("table", { class: "month", "data-month": String(m + 1) },
      el("caption", { text: t("month", m + 1) }),
      el("thead", {}, el("tr", {}, ...Array.from(names).map((n) => el("th", { text: n })))));
    const body = el("tbody");
    let row = el("tr");
    const first = new Date(year, m, 1);
    const lead = (first.getDay() + 6) % 7;
    for (let i = 0; i < lead; i++) row.append(el("td"));
    for (let d = new Date(first); d.getMonth() === m; d.setDate(d.getDate() + 1)) {
      const key = day(d);
      const weekend = d.getDay() === 0 || d.getDay() === 6;
      const classes = [off.has(key) ? "off" : workdays.has(key) ? "makeup" : weekend ? "weekend" : "work", changed.has(key) ? "changed" : ""].join(" ").trim();
      row.append(el("td", { class: classes, "data-day": key, title: key, text: String(d.getDate()) }));
      if (row.children.length === 7) { body.append(row); row = el("tr"); }
    }
    if (row.children.length) body.append(row);
    table.append(body);
    grid.append(table);
  }
}

async function previewNotice(event) {
  event.preventDefault();
  const form = $("notice-form").elements;
  const year = Number(form.year.value);
  const detected = form.text.value.match(/(20\d\d)\s*年部分节假日/);
  if (detected && Number(detected[1]) !== year) form.year.value = detected[1];
  const target = Number(form.year.value);
  const box = clear($("notice-preview"));
  let preview = await act(() => api(`/api/admin/calendars/${target}/notice`, { method: "POST", body: form.text.value }));
  if (!preview) return;
  if (preview.kind === "calendar-preview") {
    // Many open items in the changed window: the preview is a background job; follow it.
    const bar = el("progress", { max: "1", value: "0" });
    const words = el("span", { text: t("queued") });
    box.hidden = false;
    box.append(el("h2", { text: t("previewing") }), bar, words);
    const job = await followJob(preview.href, (done, total) => { bar.max = total; bar.value = done; words.textContent = t("previewProgress", done, total); });
    if (job.status !== "succeeded") { clear(box).append(el("p", { class: "error", text: t("jobFailed", job.error || job.status) })); return; }
    preview = job.result;
    clear(box);
  }
  say("");
  box.hidden = false;
  const moves = preview.openItems;
  const examples = el("table", { class: "admin-table", id: "moves" },
    el("thead", {}, el("tr", {}, el("th", { text: t("item") }), el("th", { text: t("dueNow") }), el("th", { text: t("dueAfter") }))),
    el("tbody", {}, moves.examples.map((m) => el("tr", {}, el("td", {}, el("a", { href: `/items/${m.itemId}`, text: m.title })), el("td", { text: m.dueOn || "" }), el("td", { text: m.newDueOn || "" })))));
  const apply = el("button", { type: "button", id: "apply-notice", text: t("applyNotice") });
  const progress = el("div", { id: "apply-progress", role: "status" });
  apply.addEventListener("click", () => applyNotice(target, form.text.value, apply, progress));
  box.append(
    el("h2", { text: t("previewTitle", preview.title) }),
    el("p", { class: "muted", text: t(preview.inForce === "provisional" ? "inForceProvisional" : "inForceNotice") }),
    el("h3", { text: t("sectionsList") }),
    el("ul", { class: "sections" }, preview.sections.map((s) => el("li", { text: `${lang === "zh" ? s.name : s.nameEn}：${s.from} — ${s.to}${s.workdays.length ? `；${t("workdaysList", s.workdays.length)} ${s.workdays.join("、")}` : ""}` }))),
    el("p", { text: `${t("holidaysList", preview.holidays.length)}；${t("workdaysList", preview.workdays.length)}` }),
    el("p", { id: "changed-dates", text: preview.changedDates.length ? t("changedDates", preview.changedDates.length) : t("noChange") }),
    el("p", { id: "moves-summary", text: moves.dueDaysMove ? t("moves", moves.lookedAt, moves.dueDaysMove) : t("noMoves") }),
    ...(moves.examples.length ? [examples] : []),
    apply, progress);
  renderGrid(target, new Set(preview.holidays), new Set(preview.workdays), new Set(preview.changedDates), t("gridTitlePreview", target));
  box.scrollIntoView({ block: "start" });
}

async function applyNotice(year, text, apply, progress) {
  apply.disabled = true;
  progress.textContent = t("applying");
  const stored = await act(() => api(`/api/admin/calendars/${year}/notice?apply=true`, { method: "POST", body: text }));
  if (!stored) { apply.disabled = false; progress.textContent = ""; return; }
  if (!stored.job) {
    progress.textContent = t("appliedNoJob", year, stored.calendarVersion);
  } else {
    const bar = el("progress", { max: "1", value: "0" });
    const words = el("span", { text: t("queued") });
    clear(progress).append(bar, words);
    const job = await followJob(stored.job.href, (progress) => { if (!progress) return; bar.max = progress.total; bar.value = progress.done; words.textContent = t("progress", progress.done, progress.total); }, 500);
    const r = job.result;
    clear(progress).append(job.status === "succeeded"
      ? el("span", { class: "ok", text: t("appliedResult", year, stored.calendarVersion, r.itemsRecomputed, r.dueDaysMoved, r.lightsChanged) })
      : el("span", { class: "error", text: t("jobFailed", job.error || job.status) }));
  }
  const finished = progress.textContent;
  state.gridYear = year;
  await showCalendars();
  say(finished);
}

/** Wires the section's forms. */
export function wire() {
  $("notice-form").addEventListener("submit", (event) => previewNotice(event).catch(fail));
  $("notice-form").elements.year.addEventListener("change", (event) => act(() => showYear(Number(event.target.value))));
}
