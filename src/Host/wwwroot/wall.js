// The wall: the light board for the supervising office's big screen. Opened with a display link (/wall#key=dk_…: the
// key stays in the fragment, so it never reaches a server log) or by a signed-in supervisor. Plain JavaScript over
// the JSON API; everything from data goes in with textContent.
"use strict";

(() => {
  const texts = {
    zh: {
      title: "督办亮灯", forecast: "预警", trend: "近期红灯、黄灯", within: "{0} 个工作日内", turnYellow: "转黄", turnRed: "转红",
      onTime: "按期率", updated: "更新于 {0}", live: "实时", offline: "连接中断", page: "第 {0} / {1} 屏",
      green: "绿灯", yellow: "黄灯", red: "红灯", serious: "严重超期", paused: "暂停", none: "无在办",
      worst: { green: "● 正常", yellow: "▲ 临近期限", red: "■ 已超期", serious: "✖ 严重超期", none: "○ 无在办事项" },
      legend: "● 绿灯：正常　▲ 黄灯：临近期限　■ 红灯：已超期　✖ 严重超期　‖ 暂停计时", revoked: "显示链接已失效，请向管理员或督办人员索取新的链接。",
    },
    en: {
      title: "Supervision lights", forecast: "Forecast", trend: "Red and yellow lately", within: "within {0} working days", turnYellow: "to yellow", turnRed: "to red",
      onTime: "On time", updated: "updated {0}", live: "live", offline: "disconnected", page: "screen {0} of {1}",
      green: "green", yellow: "yellow", red: "red", serious: "seriously overdue", paused: "paused", none: "nothing open",
      worst: { green: "● on schedule", yellow: "▲ close to the deadline", red: "■ overdue", serious: "✖ seriously overdue", none: "○ nothing open" },
      legend: "● green: on schedule  ▲ yellow: close to the deadline  ■ red: overdue  ✖ seriously overdue  ‖ clock paused", revoked: "This display link is no longer valid; ask an administrator or supervisor for a new one.",
    },
  };
  const lang = localStorage.getItem("supervision.lang") === "en" ? "en" : "zh";
  const t = (key, ...args) => args.reduce((s, a, i) => s.replace(`{${i}}`, String(a)), texts[lang][key] ?? key);
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  };
  const svg = (tag, attrs = {}) => {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  };
  const key = new URLSearchParams(location.hash.slice(1)).get("key");
  const state = { board: null, trends: null, page: 0, pages: 1, timer: null };
  const order = { serious: 0, red: 1, yellow: 2, green: 3, none: 4 };

  async function api(path, options = {}) {
    let response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json", "Content-Type": "application/json" }, ...options });
    // The display session ended (a restarted browser, an expired cookie): trade the key again, once.
    if (response.status === 401 && key && path !== "/api/display-session") {
      await openSession();
      response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" }, ...options });
    }
    if (response.status === 401 && !key) {
      location.assign("/?next=/wall");
      throw new Error("not signed in");
    }
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  }

  async function openSession() {
    const response = await fetch("/api/display-session", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }) });
    if (!response.ok) {
      $("wall-error").textContent = t("revoked");
      $("wall-error").hidden = false;
      throw new Error("display link not valid");
    }
    $("wall-error").hidden = true;
    return response.json();
  }

  const worstOf = (r) => (r.seriouslyOverdue > 0 ? "serious" : r.red > 0 ? "red" : r.yellow > 0 ? "yellow" : r.green > 0 ? "green" : "none");

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
    const rows = [...state.board.departments].sort((a, b) => order[worstOf(a)] - order[worstOf(b)] || b.open - a.open || a.department.localeCompare(b.department, "zh-CN"));
    const { perScreen, columns, rows: gridRows } = layout(rows.length);
    state.pages = Math.max(1, Math.ceil(rows.length / perScreen));
    state.page %= state.pages;
    const tiles = $("tiles");
    tiles.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    tiles.style.gridTemplateRows = `repeat(${gridRows}, minmax(0, 1fr))`;
    tiles.replaceChildren(...rows.slice(state.page * perScreen, (state.page + 1) * perScreen).map((r) => {
      const worst = worstOf(r);
      return el("article", { class: "tile", "data-department": String(r.departmentId), "data-light": worst },
        el("h2", { text: r.department, title: r.department }),
        el("div", { class: "worst", text: texts[lang].worst[worst] }),
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
    $("updated").textContent = t("updated", new Date(b.at).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }));
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
    $("clock").textContent = new Date().toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
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

  document.addEventListener("DOMContentLoaded", () => start().catch((e) => {
    if (!$("wall-error").textContent) $("wall-error").textContent = String(e.message || e);
    $("wall-error").hidden = false;
  }));
})();
