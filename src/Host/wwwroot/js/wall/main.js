// The wall: the light board for the supervising office's big screen. Opened with a display link (/wall#key=dk_…: the
// key stays in the fragment, so it never reaches a server log) or by a signed-in supervisor. Plain JavaScript over
// the JSON API; everything from data goes in with textContent. Its words are the "wall" part of ../text.
import { api, onUnauthorized } from "../core/api.js";
import { $, el, svg } from "../core/dom.js";
import { lang, locale, textOf } from "../core/text.js";
import { worstLight } from "../core/lights.js";

const t = textOf("wall");

const key = new URLSearchParams(location.hash.slice(1)).get("key");
const state = { board: null, trends: null, page: 0, pages: 1, timer: null };
const order = { serious: 0, red: 1, yellow: 2, green: 3, none: 4 };

// Trades the display link's key for a display session; a revoked or unknown key is said on the screen.
async function openSession() {
  try {
    const department = await api("/api/display-session", { method: "POST", body: { key } });
    $("wall-error").hidden = true;
    return department;
  } catch (problem) {
    $("wall-error").textContent = problem.status === 429 ? problem.message : t("revoked");
    $("wall-error").hidden = false;
    throw problem;
  }
}

function pills(r) {
  return [["green", r.green], ["yellow", r.yellow], ["red", r.red], ["serious", r.seriouslyOverdue], ["paused", r.paused]]
    .map(([light, n]) => el("span", { class: `pill${n === 0 ? " zero" : ""}`, "data-light": light, title: t(light), text: String(n) }));
}

// As many tiles as the screen holds at a readable size; more departments than that are shown screen by screen.
function layout(count) {
  const box = $("tiles").getBoundingClientRect();
  const minWidth = Math.max(220, window.innerWidth / 8.5);
  const minHeight = Math.max(120, window.innerHeight / 7.5);
  const gap = window.innerWidth / 100;
  const columns = Math.max(1, Math.floor((box.width + gap) / (minWidth + gap)));
  const rows = Math.max(1, Math.floor((box.height + gap) / (minHeight + gap)));
  const perScreen = columns * rows;
  const used = Math.max(1, Math.min(count, perScreen));
  const cols = Math.min(columns, used);
  return { perScreen, columns: cols, rows: Math.max(1, Math.ceil(used / cols)) };
}

function renderTiles() {
  const rows = [...state.board.departments].sort((a, b) => order[worstLight(a)] - order[worstLight(b)] || b.open - a.open || a.department.localeCompare(b.department, "zh-CN"));
  const { perScreen, columns, rows: gridRows } = layout(rows.length);
  state.pages = Math.max(1, Math.ceil(rows.length / perScreen));
  state.page %= state.pages;
  const tiles = $("tiles");
  tiles.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
  tiles.style.gridTemplateRows = `repeat(${gridRows}, minmax(0, 1fr))`;
  tiles.replaceChildren(...rows.slice(state.page * perScreen, (state.page + 1) * perScreen).map((r) => {
    const worst = worstLight(r);
    return el("article", { class: "tile", "data-department": String(r.departmentId), "data-light": worst },
      el("h2", { text: r.department, title: r.department }),
      el("div", { class: "worst", text: t(`worst.${worst}`) }),
      el("div", { class: "counts" }, pills(r)),
      el("div", { class: "rate" }, `${t("onTime")} `, el("strong", { text: r.onTimeRate === null ? "—" : `${r.onTimeRate}%` })));
  }));
  $("pager").textContent = state.pages > 1 ? t("page", state.page + 1, state.pages) : "";
}

function renderSide() {
  const b = state.board;
  $("wall-totals").replaceChildren(...pills(b.totals), el("span", { class: "pill", text: `${t("onTime")} ${b.totals.onTimeRate === null ? "—" : `${b.totals.onTimeRate}%`}` }));
  $("forecast").tBodies[0].replaceChildren(...b.forecast.map((f) => el("tr", {},
    el("td", { text: t("within", f.workingDays) }),
    el("td", { class: "num" }, el("span", { class: `pill${f.turnYellow === 0 ? " zero" : ""}`, "data-light": "yellow", title: t("turnYellow"), text: String(f.turnYellow) })),
    el("td", { class: "num" }, el("span", { class: `pill${f.turnRed === 0 ? " zero" : ""}`, "data-light": "red", title: t("turnRed"), text: String(f.turnRed) })))));
  $("updated").textContent = t("updated", new Date(b.at).toLocaleTimeString(locale(), { hour12: false }));
  renderTrend();
}

function renderTrend() {
  const box = $("trend");
  if (!state.trends || state.trends.days.length === 0) { box.replaceChildren(); return; }
  const days = state.trends.days;
  const max = Math.max(1, ...days.map((d) => Math.max(d.red, d.yellow)));
  const [w, h, pad] = [400, 200, 18];
  const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, days.length - 1);
  const y = (v) => h - pad - (v * (h - 2 * pad)) / max;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": t("trend") });
  chart.append(svg("line", { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: "#2a3b55" }));
  for (const [light, colour, dash] of [["yellow", "#f2b705", "6 4"], ["red", "#ff5a4f", ""]]) {
    chart.append(svg("polyline", { points: days.map((d, i) => `${x(i)},${y(d[light])}`).join(" "), fill: "none", stroke: colour, "stroke-width": 3, "stroke-dasharray": dash }));
  }
  const last = days[days.length - 1];
  const label = svg("text", { x: w - pad, y: pad, fill: "#a9b4c2", "font-size": 16, "text-anchor": "end" });
  label.textContent = `${last.day}  ■ ${last.red}  ▲ ${last.yellow}`;
  chart.append(label);
  box.replaceChildren(chart);
}

async function refresh() {
  const [board, trends] = await Promise.all([api("/api/board"), api("/api/board/trends?days=14")]);
  state.board = board;
  state.trends = trends;
  renderTiles();
  renderSide();
}

function tick() {
  $("clock").textContent = new Date().toLocaleTimeString(locale(), { hour12: false });
}

function connect() {
  const source = new EventSource("/api/events");
  const live = $("live");
  source.onopen = () => { live.dataset.state = "on"; live.textContent = t("live"); };
  source.onerror = () => { live.dataset.state = "off"; live.textContent = t("offline"); };
  let pending = null;
  source.addEventListener("changed", () => {
    clearTimeout(pending);
    pending = setTimeout(() => refresh().catch(() => {}), 300);
  });
}

async function start() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  $("forecast-title").textContent = t("forecast");
  $("trend-title").textContent = t("trend");
  $("legend").textContent = t("legend");
  tick();
  setInterval(tick, 1000);
  let department = null;
  if (key) department = await openSession();
  await refresh();
  const root = department || (state.board.departments.find((d) => d.parentId === null) ?? null);
  const name = root ? (root.name ?? root.department) : "";
  $("wall-title").textContent = name ? `${t("title")} · ${name}` : t("title");
  document.title = $("wall-title").textContent;
  connect();
  // Screen by screen when the departments do not fit; a fresh look every minute even without events.
  setInterval(() => { if (state.pages > 1) { state.page = (state.page + 1) % state.pages; renderTiles(); } }, 12000);
  setInterval(() => refresh().catch(() => {}), 60000);
  window.addEventListener("resize", () => state.board && renderTiles());
}

// The display session ended (a restarted browser, an expired cookie): trade the key again, once. Without a key (a
// supervisor's own session): sign in first, and come back.
onUnauthorized(async () => {
  if (key) {
    await openSession();
    return true;
  }
  location.assign("/?next=/wall");
  return false;
});
start().catch((e) => {
  if (!$("wall-error").textContent) $("wall-error").textContent = String(e.message || e);
  $("wall-error").hidden = false;
});
