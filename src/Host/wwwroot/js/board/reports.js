// The reports (/reports?from=&to=, 统计考核): the period's figures by department (a tree with totals and each
// department's score, line by line), by workflow, plan and plan item; the exports; and the circulations (通报).
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { dateTime, lang } from "../core/text.js";
import { symbols } from "../core/lights.js";
import { definitionOf, isSupervisor, navigate, showError, state, t } from "./shared.js";

// The figures every report table shows, in order; the four lights at the period's end carry their symbol and word.
const figureColumns = [
  { key: "received" }, { key: "completedOnTime" }, { key: "completedLate" }, { key: "onTimeRate", format: "rate" },
  { key: "openGreen", light: "green" }, { key: "openYellow", light: "yellow" }, { key: "openRed", light: "red" }, { key: "openSeriouslyOverdue", light: "serious" },
  { key: "averageWorkingDays", format: "mean" }, { key: "p90WorkingDays" }, { key: "extensions" }, { key: "pauses" }, { key: "returns" }, { key: "lateCorrections" },
];
const blank = "—";
const percent = (rate) => (rate === null || rate === undefined ? blank : `${(100 * rate).toFixed(1)}%`);
const figureText = (column, value) => {
  if (value === null || value === undefined) return blank;
  if (column.format === "rate") return percent(value);
  return column.format === "mean" ? value.toFixed(1) : String(value);
};
// Scores as the server writes them (at most two decimals, no trailing zeros); points with their sign.
const scoreText = (score) => String(Math.round(score * 100) / 100);
const pointsText = (points) => (points > 0 ? `+${scoreText(points)}` : scoreText(points));

// The period asked for: the address's (/reports?from=&to=), or the server's default (the 1st of this month to today).
function addressPeriod() {
  const q = new URLSearchParams(location.search);
  return { from: q.get("from") || "", to: q.get("to") || "" };
}

function periodQuery(period, extra = {}) {
  const q = new URLSearchParams();
  if (period.from) q.set("from", period.from);
  if (period.to) q.set("to", period.to);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

export async function showReports() {
  $("circulation-form").hidden = !isSupervisor();
  await Promise.all([loadReport(addressPeriod(), true), loadCirculations()]);
}

export function refreshReports() {
  return Promise.all([loadReport(addressPeriod(), false), loadCirculations()]);
}

// A period the server refuses (not a day, or ending before it starts) is said with its reason; the figures of the
// period last shown stay, headed by that period. Only the latest request is shown: a live refresh of the previous
// period answering after a new period was chosen is dropped.
let reportRequest = 0;
async function loadReport(period, fillInputs) {
  const error = $("reports-error");
  const form = $("period-form");
  const request = ++reportRequest;
  try {
    const report = await api(`/api/reports/departments?${periodQuery(period)}`);
    if (request !== reportRequest) return;
    error.textContent = "";
    state.reports.data = report;
    if (fillInputs) { form.elements.from.value = report.from; form.elements.to.value = report.to; }
    renderReports();
  } catch (problem) {
    if (problem.status === 401) throw problem;
    if (request !== reportRequest) return;
    error.textContent = problem.message;
    if (fillInputs) { form.elements.from.value = period.from; form.elements.to.value = period.to; }
  }
}

function applyPeriod(from, to) {
  const path = `/reports?${periodQuery({ from, to })}`;
  navigate(path);
}

// Quick periods by the browser's calendar (the board is read in the office's zone): this month, this quarter and
// this year up to today, and last month whole.
function quickPeriod(which) {
  const now = new Date();
  const [year, month] = [now.getFullYear(), now.getMonth()];
  const day = (y, m, d) => {
    const date = new Date(y, m, d);
    return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  };
  const today = day(year, month, now.getDate());
  switch (which) {
    case "last-month": return [day(year, month - 1, 1), day(year, month, 0)];
    case "this-quarter": return [day(year, month - (month % 3), 1), today];
    case "this-year": return [day(year, 0, 1), today];
    default: return [day(year, month, 1), today];
  }
}

export function renderReports() {
  const report = state.reports.data;
  if (!report) return;
  const card = $("report-card");
  card.dataset.from = report.from;
  card.dataset.to = report.to;
  $("report-period").textContent = t("periodRange", report.from, report.to);
  const f = report.totals;
  $("report-summary").textContent = t("summary", f.received, f.completedOnTime, f.completedLate, percent(f.onTimeRate), f.open, f.openRed, f.openSeriouslyOverdue);
  renderTabs();
  renderReportDepartments();
  const workflowName = (row) => (lang === "zh" ? row.name : (definitionOf(row.key) || {}).titleEn || row.name);
  renderReportRows("report-workflows", report.workflows, ["workflow"], (row) => [workflowName(row)]);
  renderReportRows("report-plans", report.plans, ["plan"], (row) => [row.name]);
  // A plan item's key is "plan#item".
  renderReportRows("report-items", report.planItems, ["plan", "planItem"], (row) => {
    const at = row.key.lastIndexOf("#");
    return at < 0 ? [row.name, blank] : [row.key.slice(0, at), row.key.slice(at + 1) || blank];
  });
  for (const link of document.querySelectorAll("#exports a[data-export]")) {
    link.href = `/api/reports/${link.dataset.export}?${periodQuery(report, link.dataset.table ? { table: link.dataset.table } : {})}`;
  }
  $("exports-period").textContent = t("exportsPeriod", report.from, report.to);
  $("circulation-period").textContent = t("circulationPeriod", report.from, report.to);
}

function renderTabs() {
  for (const tab of document.querySelectorAll("#report-card [role=tab]")) {
    const selected = tab.dataset.tab === state.reports.tab;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
}

function selectTab(name, focus) {
  state.reports.tab = name;
  renderTabs();
  if (focus) $(`tab-${name}`).focus();
}

// Headings over two rows: the lights at the period's end grouped under one heading, every other column spanning
// both. The department table sorts on its on-time rate.
function figureHead(head, leading, trailing, sortable) {
  const top = el("tr", {}, ...leading);
  const lights = el("tr");
  const lit = figureColumns.filter((c) => c.light);
  for (const c of figureColumns) {
    if (c === lit[0]) top.append(el("th", { class: "group", scope: "colgroup", colspan: String(lit.length), text: t("openAtEnd") }));
    if (c.light) lights.append(el("th", { class: "num", scope: "col", text: `${symbols[c.light]} ${t(c.light)}` }));
    else if (sortable && c.key === "onTimeRate") top.append(reportSortHead("onTimeRate", t("fig.onTimeRate"), true));
    else top.append(el("th", { class: "num", scope: "col", rowspan: "2", text: t(`fig.${c.key}`) }));
  }
  top.append(...trailing);
  head.append(top, lights);
}

function reportSortHead(key, label, numeric) {
  const sort = state.reports.sort;
  const th = el("th", { class: numeric ? "num" : null, scope: "col", rowspan: "2", "data-sort": key },
    el("button", {
      type: "button", class: "sort", text: label,
      onclick: () => { state.reports.sort = { key, dir: sort.key === key ? -sort.dir : key === "name" ? 1 : -1 }; renderReportDepartments(); },
    }));
  if (sort.key === key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
  return th;
}

const figureCells = (figures) => figureColumns.map((c) => el("td", {
  class: c.light && figures[c.key] > 0 ? `num light-${c.light}` : "num", "data-figure": c.key, text: figureText(c, figures[c.key]),
}));

// Departments in a tree as on the board; a department whose parent the caller does not see is a root.
function reportTree(departments) {
  const byId = new Map(departments.map((d) => [d.id, { row: d, children: [] }]));
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.row.parentId !== null ? byId.get(node.row.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

// A department with departments under it shows its total with them; one without, its own figures (the same).
const shownFigures = (node) => (node.children.length > 0 ? node.row.total : node.row.own);

function sortReportNodes(nodes) {
  const { key, dir } = state.reports.sort;
  const value = (node) => (key === "name" ? node.row.name : key === "score" ? node.row.score.total : shownFigures(node).onTimeRate ?? -1);
  return [...nodes].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    return (typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y) * dir || a.row.name.localeCompare(b.row.name, "zh-CN");
  });
}

function renderReportDepartments() {
  const report = state.reports.data;
  const table = $("report-departments");
  figureHead(clear(table.tHead), [reportSortHead("name", t("department"), false)], [reportSortHead("score", t("score"), true)], true);
  const span = String(figureColumns.length + 2);
  const body = clear(table.tBodies[0]);
  if (report.departments.length === 0) body.append(el("tr", {}, el("td", { colspan: span, class: "muted", text: t("noFigures") })));
  const expanded = state.reports.expanded;
  const addRows = (nodes, depth) => {
    for (const node of sortReportNodes(nodes)) {
      const d = node.row;
      const hasChildren = node.children.length > 0;
      const open = expanded.has(d.id) || (depth === 0 && !expanded.has(-d.id));
      const name = el("td", { class: `dept indent-${Math.min(depth, 3)}` });
      if (hasChildren) {
        name.append(el("button", {
          type: "button", class: "toggle", "aria-expanded": open ? "true" : "false", "aria-label": open ? t("collapse") : t("expand"), text: open ? "▾" : "▸",
          onclick: () => {
            if (open) { expanded.delete(d.id); if (depth === 0) expanded.add(-d.id); } else { expanded.add(d.id); expanded.delete(-d.id); }
            renderReportDepartments();
          },
        }));
      }
      name.append(document.createTextNode(d.name));
      const shown = state.reports.breakdown === d.id;
      const score = el("button", {
        type: "button", class: "count score", text: scoreText(d.score.total), "aria-label": t("showScore", d.name),
        "aria-expanded": shown ? "true" : "false", "aria-controls": shown ? `breakdown-${d.id}` : null,
        onclick: () => { state.reports.breakdown = shown ? null : d.id; renderReportDepartments(); },
      });
      body.append(el("tr", { "data-department": d.id, "data-figures": hasChildren ? "total" : "own", "data-depth": depth },
        name, ...figureCells(shownFigures(node)), el("td", { class: "num", "data-figure": "score" }, score)));
      if (shown) body.append(scoreBreakdown(d, span));
      if (hasChildren && open) {
        // The department's own assignments, so that its rows below add up to its total.
        body.append(el("tr", { class: "own-row", "data-own": d.id },
          el("td", { class: `dept indent-${Math.min(depth + 1, 3)}`, text: t("ownRow") }), ...figureCells(d.own), el("td")));
        addRows(node.children, depth + 1);
      }
    }
  };
  addRows(reportTree(report.departments), 0);
  clear(table.tFoot).append(el("tr", {}, el("td", { text: t("total") }), ...figureCells(report.totals), el("td")));
}

// The score line by line: the start, each rule (in the page's language) with its count and points, and the total,
// which the rules' floor and ceiling may have held.
function scoreBreakdown(d, span) {
  const score = d.score;
  const description = (line) => (lang === "zh" ? line.descriptionZh : line.descriptionEn);
  const sum = score.lines.reduce((total, line) => total + line.points, score.start);
  const held = Math.abs(sum - score.total) > 1e-9;
  const lines = el("table", { class: "compact score-lines" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("rule") }), el("th", { class: "num", scope: "col", text: t("count") }), el("th", { class: "num", scope: "col", text: t("points") }))),
    el("tbody", {},
      el("tr", { "data-line": "start" }, el("td", { text: t("startScore") }), el("td", { class: "num" }), el("td", { class: "num", "data-start": score.start, text: scoreText(score.start) })),
      score.lines.map((line) => el("tr", { "data-rule": line.rule },
        el("td", { class: "rule", text: description(line) }),
        el("td", { class: "num", "data-count": line.count, text: String(line.count) }),
        el("td", { class: `num${line.points < 0 ? " minus" : line.points > 0 ? " plus" : ""}`, "data-points": line.points, text: pointsText(line.points) })))),
    el("tfoot", {}, el("tr", {}, el("td", { text: `${t("finalScore")}${held ? t("clamped") : ""}` }), el("td"), el("td", { class: "num", "data-total": score.total, text: scoreText(score.total) }))));
  return el("tr", { class: "breakdown", id: `breakdown-${d.id}`, "data-breakdown": d.id },
    el("td", { colspan: span },
      el("p", { class: "muted", text: `${t("showScore", d.name)}　${t("rulesName", state.reports.data.rules)}` }), lines));
}

function renderReportRows(id, rows, names, cells) {
  const table = $(id);
  figureHead(clear(table.tHead), names.map((k) => el("th", { scope: "col", rowspan: "2", text: t(k) })), [], false);
  const body = clear(table.tBodies[0]);
  if (rows.length === 0) body.append(el("tr", {}, el("td", { colspan: String(names.length + figureColumns.length), class: "muted", text: t("noFigures") })));
  for (const row of rows) body.append(el("tr", { "data-key": row.key }, ...cells(row).map((text) => el("td", { text })), ...figureCells(row.figures)));
}

// --- circulations (通报) ---

async function loadCirculations() {
  try {
    state.reports.circulations = await api("/api/reports/circulations");
    renderCirculations();
  } catch (problem) {
    if (problem.status === 401) throw problem;
    $("circulation-error").textContent = problem.message;
  }
}

export function renderCirculations() {
  const table = $("circulations");
  const heads = [["circulationNo", true], ["circulationKind"], ["office"], ["period"], ["generatedAt"], ["generatedBy"],
    ["fig.received", true], ["fig.completedOnTime", true], ["fig.completedLate", true], ["fig.onTimeRate", true], ["open", true], ["red", true], ["printable"]];
  clear(table.tHead).append(el("tr", {}, ...heads.map(([k, numeric]) => el("th", { class: numeric ? "num" : null, scope: "col", text: k === "red" ? `${symbols.red} ${t("red")}` : t(k) }))));
  const body = clear(table.tBodies[0]);
  const list = state.reports.circulations;
  if (list.length === 0) body.append(el("tr", {}, el("td", { colspan: String(heads.length), class: "muted", text: t("noCirculations") })));
  const number = (n) => el("td", { class: "num", text: String(n) });
  for (const c of list) {
    body.append(el("tr", { "data-circulation": c.id, "data-kind": c.kind, "aria-current": c.id === (state.reports.made || {}).id ? "true" : null },
      number(c.id), el("td", { text: t(`kind.${c.kind}`) }), el("td", { text: c.office }), el("td", { text: t("periodRange", c.from, c.to) }),
      el("td", { text: dateTime(c.generatedAt) }), el("td", { text: c.generatedBy === "system" ? t("monthlyBy") : c.generatedBy }),
      number(c.totals.received), number(c.totals.completedOnTime), number(c.totals.completedLate),
      el("td", { class: "num", text: percent(c.totals.onTimeRate) }), number(c.totals.open), number(c.totals.openRed),
      el("td", {}, el("a", { href: `/circulations/${c.id}`, target: "_blank", rel: "noopener", "data-print": c.id, text: t("printable") }))));
  }
  const made = state.reports.made;
  $("circulation-result").textContent = !made ? "" : made.send ? t("circulationSent", made.id, made.notices) : t("circulationMade", made.id);
}

// Supervisors generate one for the period shown (not what may be typed but not yet applied).
async function generateCirculation() {
  const report = state.reports.data;
  if (!report) return;
  const error = $("circulation-error");
  const button = $("circulation-generate");
  const send = $("circulation-send").checked;
  error.textContent = "";
  button.disabled = true;
  try {
    const made = await api("/api/reports/circulations", { method: "POST", body: { from: report.from, to: report.to, send } });
    state.reports.made = { id: made.circulation.id, notices: made.notices, send };
    $("circulation-send").checked = false;
    await loadCirculations();
  } catch (problem) {
    if (problem.status !== 401) error.textContent = problem.message;
  } finally {
    button.disabled = false;
  }
}


/** Wires the period (typed or quick), the tabs and the circulation's form. */
export function wireReports() {
  $("period-form").addEventListener("submit", (e) => {
    e.preventDefault();
    applyPeriod(e.target.elements.from.value, e.target.elements.to.value);
  });
  for (const button of document.querySelectorAll("#period-form [data-period]")) {
    button.addEventListener("click", () => {
      const [from, to] = quickPeriod(button.dataset.period);
      const form = $("period-form");
      form.elements.from.value = from;
      form.elements.to.value = to;
      applyPeriod(from, to);
    });
  }
  const tabs = [...document.querySelectorAll("#report-card [role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab.dataset.tab, false));
    // Arrow keys move between tabs, as in a tab list.
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      e.preventDefault();
      selectTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length].dataset.tab, true);
    });
  }
  $("circulation-form").addEventListener("submit", (e) => { e.preventDefault(); generateCirculation().catch(showError); });
}
