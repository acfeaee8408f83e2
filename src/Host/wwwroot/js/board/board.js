// The board view (/board): departments by light as a tree with subtotals, the forecast, the notices inbox, the trends
// drawn as SVG (no library) and the list of items a count opens. Filters fold on a phone.
import { api } from "../core/api.js";
import { $, clear, el, svg, wireToggle } from "../core/dom.js";
import { dateTime, lang, locale } from "../core/text.js";
import { symbols, worstLight } from "../core/lights.js";
import { definitionOf, dueCell, lightBadge, navigate, pageLink, showError, state, stepBadge, stepName, t } from "./shared.js";

// The columns of the board: the counts by light and the open total.
const columns = [
  { key: "green", light: "green" },
  { key: "yellow", light: "yellow" },
  { key: "red", light: "red" },
  { key: "seriouslyOverdue", light: "serious" },
  { key: "paused", light: "paused" },
  { key: "open", light: "open" },
];

function boardQuery() {
  const q = new URLSearchParams();
  for (const k of ["kind", "step", "text", "dueWithin"]) if (state.filters[k]) q.set(k, state.filters[k]);
  return q;
}

export async function refreshBoard() {
  const query = boardQuery();
  const [board, inbox] = await Promise.all([api(`/api/board?${query}`), api("/api/notices?pageSize=10")]);
  state.board = board;
  renderBoard();
  renderForecast();
  renderInbox(inbox);
  fillDepartmentFilter();
  refreshTrends().catch(() => {});
  if (state.list) await loadList();
}

function tree() {
  const rows = state.board.departments;
  const byId = new Map(rows.map((r) => [r.departmentId, { row: r, children: [] }]));
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.row.parentId !== null ? byId.get(node.row.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const rollUp = (node) => {
    const sum = { ...node.row };
    for (const child of node.children) {
      const c = rollUp(child);
      for (const k of ["green", "yellow", "red", "seriouslyOverdue", "paused", "open", "doneOnTime", "doneLate"]) sum[k] += c[k];
    }
    sum.onTimeRate = sum.doneOnTime + sum.doneLate === 0 ? null : Math.round((1000 * sum.doneOnTime) / (sum.doneOnTime + sum.doneLate)) / 10;
    node.total = sum;
    return sum;
  };
  roots.forEach(rollUp);
  const focus = state.filters.department ? byId.get(Number(state.filters.department)) : undefined;
  return focus ? [focus] : roots;
}

function sortNodes(nodes) {
  const { key, dir } = state.sort;
  return [...nodes].sort((a, b) => {
    const x = key === "name" ? a.row.department : a.total[key] ?? -1;
    const y = key === "name" ? b.row.department : b.total[key] ?? -1;
    return (typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y) * dir;
  });
}

export function renderBoard() {
  const table = $("board");
  const head = clear(table.tHead);
  const headRow = el("tr");
  const sortable = (key, label, numeric) => {
    const th = el("th", { class: numeric ? "num" : null, scope: "col" },
      el("button", { type: "button", class: "sort", text: label, onclick: () => { state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === "name" ? 1 : -1 }; renderBoard(); } }));
    if (state.sort.key === key) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
    return th;
  };
  headRow.append(sortable("name", t("department"), false));
  for (const c of columns) headRow.append(sortable(c.key, `${symbols[c.light] || ""} ${t(c.light)}`.trim(), true));
  headRow.append(sortable("onTimeRate", t("onTimeRate"), true));
  head.append(headRow);

  const body = clear(table.tBodies[0]);
  const addRows = (nodes, depth) => {
    for (const node of sortNodes(nodes)) {
      const hasChildren = node.children.length > 0;
      const open = state.expanded.has(node.row.departmentId) || (depth === 0 && !state.expanded.has(-node.row.departmentId));
      const name = el("td", { class: `dept indent-${Math.min(depth, 3)}` });
      if (hasChildren) {
        name.append(el("button", {
          type: "button", class: "toggle", "aria-expanded": open ? "true" : "false", "aria-label": open ? t("collapse") : t("expand"), text: open ? "▾" : "▸",
          onclick: () => {
            const id = node.row.departmentId;
            if (open) { state.expanded.delete(id); if (depth === 0) state.expanded.add(-id); } else { state.expanded.add(id); state.expanded.delete(-id); }
            renderBoard();
          },
        }));
      }
      // A department with departments under it shows the subtotal of its whole subtree (小计), folded or not.
      const figures = hasChildren ? node.total : node.row;
      // Its worst light at a glance, before its name (shape and word too, not colour alone).
      const worst = worstLight(figures);
      name.append(el("span", { class: "worst", "data-light": worst, role: "img", "aria-label": worst === "none" ? t("none") : t(worst), title: worst === "none" ? t("none") : t(worst) }));
      name.append(document.createTextNode(node.row.department));
      const tr = el("tr", { "data-department": node.row.departmentId, "data-light": worst }, name);
      for (const c of columns) tr.append(countCell(figures[c.key], node.row, c.light, hasChildren));
      tr.append(el("td", { class: "num rate", "data-label": t("onTimeRate"), text: figures.onTimeRate === null ? "—" : `${figures.onTimeRate}%` }));
      body.append(tr);
      if (hasChildren && open) addRows(node.children, depth + 1);
    }
  };
  addRows(tree(), 0);

  const foot = clear(table.tFoot);
  const totals = state.board.totals;
  const tr = el("tr", {}, el("td", { text: t("total") }));
  for (const c of columns) tr.append(countCell(totals[c.key], null, c.light, true));
  tr.append(el("td", { class: "num rate", "data-label": t("onTimeRate"), text: totals.onTimeRate === null ? "—" : `${totals.onTimeRate}%` }));
  foot.append(tr);
  $("board-at").textContent = `${t("updated")} ${new Date(state.board.at).toLocaleTimeString(locale())}`;
}

function countCell(count, row, light, subtree) {
  const td = el("td", { class: "num" });
  const label = `${row ? row.department : t("allDepartments")} ${t(light)} ${count}`;
  td.append(el("button", {
    type: "button", class: `count${count === 0 ? " zero" : ""}`, text: String(count), "aria-label": label, "data-light": light, "data-label": t(light),
    onclick: () => openList({ department: row ? row.departmentId : null, departmentName: row ? row.department : t("allDepartments"), subtree, light }),
  }));
  return td;
}

export function renderForecast() {
  // Due days in a year whose holiday arrangement is not published are reckoned from the law: say so.
  const years = state.board.provisionalYears || [];
  const note = $("provisional-note");
  note.hidden = years.length === 0;
  note.textContent = years.length === 0 ? "" : t("provisionalDue", years.join("、"));
  const table = $("forecast");
  clear(table.tHead).append(el("tr", {}, el("th", { text: t("due") }), el("th", { class: "num", text: `▲ ${t("turnYellow")}` }), el("th", { class: "num", text: `■ ${t("turnRed")}` })));
  const body = clear(table.tBodies[0]);
  for (const f of state.board.forecast) {
    const turnRed = el("button", {
      type: "button", class: `count${f.turnRed === 0 ? " zero" : ""}`, text: String(f.turnRed), "data-light": "red",
      onclick: () => openList({ department: null, departmentName: `${f.workingDays} ${t("workingDays")}`, subtree: false, light: "open", dueWithin: f.workingDays, dueAfter: state.board.today }),
    });
    body.append(el("tr", {},
      el("td", { text: `${f.workingDays} ${t("workingDays")}（${t("until")} ${f.until}）` }),
      el("td", { class: "num" }, el("span", { class: `count${f.turnYellow === 0 ? " zero" : ""}`, "data-light": "yellow", text: String(f.turnYellow) })),
      el("td", { class: "num" }, turnRed)));
  }
}

function renderInbox(inbox) {
  const list = clear($("inbox"));
  for (const n of inbox.notices) {
    const item = el("li", { class: n.readAt ? null : "unread", "data-kind": n.kind, "data-light": n.light || null });
    // The light it reports, in colour, shape and word (a step's own limit said as such); none for a circulation.
    const light = !n.light ? null : n.stepLimit ? stepBadge(n.light) : n.light === "serious" ? lightBadge("red", true, false) : lightBadge(n.light, false, false);
    const title = n.itemId
      ? el("a", { href: `/items/${n.itemId}`, text: n.subject, onclick: (e) => { e.preventDefault(); api(`/api/notices/${n.id}/read`, { method: "POST" }).catch(() => {}); navigate(`/items/${n.itemId}`); } })
      : el("span", { text: n.subject });
    if (light) item.append(el("div", { class: "notice-light" }, light));
    item.append(title, el("div", { class: "muted", text: dateTime(n.createdAt) }));
    list.append(item);
  }
}

function fillDepartmentFilter() {
  const select = document.querySelector("#filters select[name=department]");
  const current = state.filters.department || "";
  while (select.options.length > 1) select.remove(1);
  for (const row of state.board.departments) select.append(el("option", { value: row.departmentId, text: row.department }));
  select.value = current;
}

export function fillStepFilter() {
  const select = document.querySelector("#filters select[name=step]");
  const current = state.filters.step || "";
  while (select.options.length > 1) select.remove(1);
  const seen = new Set();
  for (const d of state.definitions) {
    for (const s of d.steps) {
      if (s.terminal || seen.has(s.id)) continue;
      seen.add(s.id);
      select.append(el("option", { value: s.id, text: lang === "zh" ? s.name : s.nameEn }));
    }
  }
  select.value = current;
}

// --- trends (server-rendered figures drawn as SVG here; no external library) ------------------------------------

async function refreshTrends() {
  const q = new URLSearchParams({ days: "28" });
  if (state.filters.kind) q.set("kind", state.filters.kind);
  let trends;
  try {
    trends = await api(`/api/board/trends?${q}`);
  } catch {
    clear($("trend-chart")).append(el("p", { class: "muted", text: t("noTrend") }));
    clear($("rate-chart"));
    return;
  }
  drawTrend(trends.days);
  drawRates(trends.departments);
}

function drawTrend(days) {
  const box = clear($("trend-chart"));
  box.setAttribute("aria-label", t("redYellowPerDay"));
  if (!days || days.length === 0) { box.append(el("p", { class: "muted", text: t("noTrend") })); return; }
  const w = 300, h = 140, pad = 24;
  const max = Math.max(1, ...days.map((d) => Math.max(d.red, d.yellow)));
  const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, days.length - 1);
  const y = (v) => h - pad - (v * (h - 2 * pad)) / max;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}` });
  chart.append(svg("line", { class: "axis", x1: pad, y1: h - pad, x2: w - pad, y2: h - pad }), svg("line", { class: "axis", x1: pad, y1: pad, x2: pad, y2: h - pad }));
  for (const [key, cls] of [["yellow", "yellow"], ["red", "red"]]) {
    chart.append(svg("polyline", { class: cls, points: days.map((d, i) => `${x(i)},${y(d[key])}`).join(" ") }));
  }
  chart.append(svg("text", { x: pad, y: h - 6 }, days[0].day), svg("text", { x: w - pad, y: h - 6, "text-anchor": "end" }, days[days.length - 1].day));
  chart.append(svg("text", { x: 2, y: pad + 4 }, String(max)), svg("text", { x: 2, y: h - pad }, "0"));
  const last = days[days.length - 1];
  box.append(chart, el("p", { class: "muted", text: `${days[days.length - 1].day}：■ ${t("redCount")} ${last.red}　▲ ${t("yellowCount")} ${last.yellow}` }));
}

function drawRates(departments) {
  const box = clear($("rate-chart"));
  const rated = (departments || []).filter((d) => d.onTimeRate !== null);
  if (rated.length === 0) { box.append(el("p", { class: "muted", text: t("noTrend") })); return; }
  const w = 300, row = 18, label = 110;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${rated.length * row + 4}` });
  rated.forEach((d, i) => {
    const width = ((w - label - 40) * d.onTimeRate) / 100;
    chart.append(svg("text", { x: 0, y: i * row + 13 }, d.department));
    chart.append(svg("rect", { class: "bar", x: label, y: i * row + 3, width: Math.max(1, width), height: row - 6 }));
    chart.append(svg("text", { x: label + width + 4, y: i * row + 13 }, `${d.onTimeRate}%`));
  });
  box.append(chart);
}

// --- drill-down list ------------------------------------------------------------------------------------------

function openList(spec) {
  state.list = { ...spec, page: 1 };
  loadList().then(() => $("list-card").scrollIntoView({ block: "nearest" })).catch(showError);
}

export async function loadList() {
  const spec = state.list;
  const q = new URLSearchParams({ page: String(spec.page), pageSize: "20" });
  for (const k of ["kind", "step", "text"]) if (state.filters[k]) q.set(k, state.filters[k]);
  const within = spec.dueWithin ?? state.filters.dueWithin;
  if (within !== undefined && within !== "") q.set("dueWithin", within);
  if (spec.dueAfter) q.set("dueAfter", spec.dueAfter);
  if (spec.department !== null && spec.department !== undefined) { q.set("department", spec.department); if (spec.subtree) q.set("subtree", "true"); }
  else if (state.filters.department) { q.set("department", state.filters.department); q.set("subtree", "true"); }
  switch (spec.light) {
    case "serious": q.set("light", "red"); q.set("serious", "true"); break;
    case "paused": q.set("paused", "true"); break;
    case "open": break;
    default: q.set("light", spec.light);
  }
  if (spec.dueAfter) q.set("paused", "false");
  q.set("open", "true");
  const page = await api(`/api/items?${q}`);
  renderList(page);
}

function renderList(page) {
  const spec = state.list;
  $("list-card").hidden = false;
  $("list-title").textContent = t("list", spec.departmentName, `${symbols[spec.light] || ""} ${t(spec.light)}`.trim());
  const table = $("list");
  clear(table.tHead).append(el("tr", {}, ...["number", "itemTitle", "kind", "department", "step", "light", "due"].map((k) => el("th", { text: t(k) }))));
  const body = clear(table.tBodies[0]);
  if (page.items.length === 0) body.append(el("tr", {}, el("td", { colspan: "7", class: "muted", text: t("noItems") })));
  for (const item of page.items) {
    body.append(el("tr", { "data-item": item.id },
      el("td", { class: "num", text: String(item.id) }),
      el("td", {}, pageLink(`/items/${item.id}`, { text: item.title })),
      el("td", { text: item.kind === "request" ? t("requests") : t("tasks") }),
      el("td", { text: item.department.name }),
      el("td", {}, stepName(item.step, definitionOf(item.definition)), item.stepLight ? [" ", stepBadge(item.stepLight)] : null),
      el("td", {}, lightBadge(item.light, item.seriouslyOverdue, item.paused)),
      el("td", {}, ...dueCell(item))));
  }
  // A broad filter at a province is counted up to a limit: "10000+", and a full page means there may be more.
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  $("page-info").textContent = t("page", page.page, page.totalIsAtLeast ? `${page.total}+` : page.total);
  $("prev").disabled = page.page <= 1;
  $("next").disabled = page.totalIsAtLeast ? page.items.length < page.pageSize : page.page >= pages;
}

// A step's or consultation's own light, apart from the reply light: its colour and shape, and the words "step limit".

/** Wires the board's filters (folded behind a button on a phone) and the list's closing and paging. */
export function wireBoard() {
  wireToggle($("filters-toggle"), $("filters"));
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(e.target);
    state.filters = Object.fromEntries([...data.entries()].filter(([, v]) => v !== ""));
    if (state.filters.light || state.filters.department || state.filters.text) {
      const department = state.filters.department ? Number(state.filters.department) : null;
      const row = department ? state.board.departments.find((r) => r.departmentId === department) : null;
      state.list = { department, departmentName: row ? row.department : t("allDepartments"), subtree: true, light: state.filters.light || "open", page: 1 };
    }
    refreshBoard().catch(showError);
  });
  $("filters").addEventListener("reset", () => {
    state.filters = {};
    state.list = null;
    $("list-card").hidden = true;
    setTimeout(() => refreshBoard().catch(showError), 0);
  });
  $("list-close").addEventListener("click", () => { state.list = null; $("list-card").hidden = true; });
  $("prev").addEventListener("click", () => { state.list.page -= 1; loadList().catch(showError); });
  $("next").addEventListener("click", () => { state.list.page += 1; loadList().catch(showError); });
}
