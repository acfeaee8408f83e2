// The workflow diagram: a definition as /api/definitions lists it, drawn as SVG here (no library, no request).
// Steps stand in rows from the start step along the outcomes (longest path, so every outcome but a return points
// down); the first outcome of each step keeps the main line straight, other branches stand beside it. An outcome
// leading back up (a return) runs in a lane beside the steps. Every text from the definition goes in as text.
// The item page (board/item.js) and the administration's definitions (admin/definitions.js) call render(definition,
// options); its words are the "diagram" part of ../text. Limits come from the server as data (limitData, yellowData).
import { wordsOf } from "./core/text.js";

const NS = "http://www.w3.org/2000/svg";

const format = (text, ...args) => args.reduce((s, a, i) => s.split(`{${i}}`).join(String(a)), text);

// --- words -------------------------------------------------------------------------------------------------------

// A span as the server sends it ({ count, unit, noRoll }) in words, one of a unit said as one in English.
function spanWords(span, w) {
  const unit = { "working-days": "workingDays", "calendar-days": "calendarDays", months: "months", hours: "hours", minutes: "minutes" }[span.unit];
  if (!unit) return `${span.count} ${span.unit}`;
  const noRoll = span.noRoll ? w[`${unit}NoRoll`] : null;
  const one = span.count === 1 ? w[unit.replace(/s$/, "")] : null;
  return format(noRoll || one || w[unit], span.count);
}

// A limit as the server sends it as data (a span, a day, a moment or the end of a month) in words; without the data,
// the notation as it is.
function limitWords(data, notation, w, zh) {
  if (!data) return String(notation || "");
  if (data.span) return spanWords(data.span, w);
  if (data.on) {
    const [y, m, d] = data.on.split("-");
    return zh ? format(w.date, y, Number(m), Number(d)) : format(w.date, y, m, d);
  }
  if (data.at) {
    // An ISO 8601 moment with its offset, said in its own zone (the office's).
    const [, y, m, d, time, seconds, zone] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})(:\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(data.at) || [];
    if (!y) return data.at;
    const shown = seconds && seconds !== ":00" ? `${time}${seconds}` : time;
    const offset = zone === "Z" ? "+00:00" : zone;
    return zh ? format(w.instant, y, Number(m), Number(d), shown, offset) : format(w.instant, y, m, d, shown, offset);
  }
  if (data.monthEnd) {
    const [y, m] = data.monthEnd.split("-");
    return format(w.monthEnd, y, zh ? Number(m) : m);
  }
  return String(notation || "");
}

/** A limit as /api/definitions sends it (limitData beside the notation) in words of the language given. */
export const limitInWords = (data, notation, language) => limitWords(data, notation, wordsOf("diagram", language === "en" ? "en" : "zh"), language !== "en");

// The overall clock in one line of parts: the limit, when yellow comes, when red turns serious.
function clockParts(clock, w, zh) {
  if (!clock) return [];
  const parts = [clock.limit ? format(w.overall, limitWords(clock.limitData, clock.limit, w, zh)) : w.perItem];
  const yellow = clock.yellowData || { kind: "never" };
  if (yellow.kind === "remaining" && yellow.remaining) parts.push(format(w.yellowRemaining, spanWords(yellow.remaining, w)));
  else if (yellow.kind === "elapsed") parts.push(format(w.yellowElapsed, yellow.percent));
  if (clock.seriouslyOverdueAfterWorkingDays) parts.push(format(w.serious, spanWords({ count: clock.seriouslyOverdueAfterWorkingDays, unit: "working-days", noRoll: false }, w)));
  return parts;
}

function effectWords(clock, w) {
  const kind = String(clock || "").split(" ")[0];
  return kind && w.effects[kind] ? w.effects[kind] : null;
}

// --- measuring and wrapping text (the SVG is drawn before it is in the page, so it cannot measure itself) ----------

const wide = /[\u1100-\u11FF\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;
let canvas = null;

function measurer() {
  const family = (typeof getComputedStyle === "function" && document.documentElement && getComputedStyle(document.documentElement).fontFamily) || "sans-serif";
  if (canvas === null) {
    try {
      canvas = document.createElement("canvas").getContext("2d") || false;
    } catch {
      canvas = false;
    }
  }
  const cache = new Map();
  return (text, size, bold) => {
    const key = `${size}|${bold ? 1 : 0}|${text}`;
    if (cache.has(key)) return cache.get(key);
    let width;
    if (canvas) {
      canvas.font = `${bold ? "bold " : ""}${size}px ${family}`;
      width = canvas.measureText(text).width * 1.03;
    } else {
      width = 0;
      for (const ch of text) width += wide.test(ch) ? 1 : /[A-Z0-9mw]/.test(ch) ? 0.64 : /[il.,:;'|!() ]/.test(ch) ? 0.3 : 0.55;
      width *= size * (bold ? 1.06 : 1);
    }
    cache.set(key, width);
    return width;
  };
}

const closing = /^[，。、；：！？）》」』】,.;:!?)\]]/;
const opening = /[（《「『【(\[]$/;
const pieces = /[^\s\u1100-\u11FF\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]+\s*|[\u1100-\u11FF\u2E80-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]\s*|\s+/gu;

// Lines of at most `max` pixels: Chinese may break between any two characters (never before closing punctuation,
// nor inside a short bracketed part such as "（第三十条）"), other text between words.
function wrap(text, size, bold, max, measure) {
  const raw = [];
  const source = String(text);
  const short = /（[^（）]{1,10}）/g;
  let from = 0;
  for (const m of source.matchAll(short)) {
    raw.push(...(source.slice(from, m.index).match(pieces) || []), m[0]);
    from = m.index + m[0].length;
  }
  raw.push(...(source.slice(from).match(pieces) || []));
  const tokens = [];
  for (const token of raw) {
    if (tokens.length > 0 && (closing.test(token) || opening.test(tokens[tokens.length - 1].trim()))) tokens[tokens.length - 1] += token;
    else tokens.push(token);
  }
  const lines = [];
  let line = "";
  for (const token of tokens) {
    if (line !== "" && measure((line + token).trimEnd(), size, bold) > max) {
      lines.push(line.trimEnd());
      line = token.trimStart();
    } else {
      line += token;
    }
  }
  if (line.trim() !== "" || lines.length === 0) lines.push(line.trimEnd());
  // No single Chinese character left alone on the last line ("期" / "限"): take one more down with it.
  const n = lines.length;
  if (n > 1 && [...lines[n - 1]].length === 1 && [...lines[n - 2]].length > 2 && wide.test(lines[n - 1])) {
    const before = [...lines[n - 2]];
    lines[n - 1] = before.pop() + lines[n - 1];
    lines[n - 2] = before.join("");
  }
  return lines;
}

// --- SVG ---------------------------------------------------------------------------------------------------------

const node = (tag, attrs, text) => {
  const element = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) element.setAttribute(k, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
};
const round = (v) => Math.round(v * 10) / 10;

// An orthogonal polyline with rounded corners.
function pathData(points, radius) {
  const p = simplify(points);
  let d = `M${round(p[0].x)},${round(p[0].y)}`;
  for (let i = 1; i < p.length - 1; i++) {
    const a = p[i - 1], b = p[i], c = p[i + 1];
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const toward = (from, to, len) => {
      const l = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      return { x: from.x + ((to.x - from.x) * len) / l, y: from.y + ((to.y - from.y) * len) / l };
    };
    const s = toward(b, a, r), e = toward(b, c, r);
    d += ` L${round(s.x)},${round(s.y)} Q${round(b.x)},${round(b.y)} ${round(e.x)},${round(e.y)}`;
  }
  const last = p[p.length - 1];
  return `${d} L${round(last.x)},${round(last.y)}`;
}

function simplify(points) {
  const p = [];
  for (const q of points) {
    if (p.length > 0 && Math.abs(p[p.length - 1].x - q.x) < 0.01 && Math.abs(p[p.length - 1].y - q.y) < 0.01) continue;
    if (p.length >= 2) {
      const a = p[p.length - 2], b = p[p.length - 1];
      if ((Math.abs(a.x - b.x) < 0.01 && Math.abs(b.x - q.x) < 0.01) || (Math.abs(a.y - b.y) < 0.01 && Math.abs(b.y - q.y) < 0.01)) p.pop();
    }
    p.push(q);
  }
  return p;
}

// The arrowhead at the end of a path, pointing along its last segment; the line stops at its base.
function arrowHead(points) {
  const p = simplify(points);
  const tip = p[p.length - 1], before = p[p.length - 2];
  const l = Math.hypot(tip.x - before.x, tip.y - before.y) || 1;
  const ux = (tip.x - before.x) / l, uy = (tip.y - before.y) / l;
  const len = 8, half = 4.5;
  const base = { x: tip.x - ux * len, y: tip.y - uy * len };
  p[p.length - 1] = { x: tip.x - ux * (len - 1), y: tip.y - uy * (len - 1) };
  const head = `M${round(tip.x)},${round(tip.y)} L${round(base.x - uy * half)},${round(base.y + ux * half)} L${round(base.x + uy * half)},${round(base.y - ux * half)} Z`;
  return { line: p, head };
}

const overlaps = (a, b, pad) => a.x1 < b.x2 + pad && b.x1 < a.x2 + pad && a.y1 < b.y2 + pad && b.y1 < a.y2 + pad;

// --- the drawing ---------------------------------------------------------------------------------------------------

let drawn = 0;

/** The definition drawn as an SVG element: options.lang ("zh" or "en") and options.current (the step to mark). */
export function render(definition, options) {
  const def = definition || {};
  const opts = options || {};
  const lang = opts.lang === "en" ? "en" : "zh";
  const w = wordsOf("diagram", lang);
  const current = opts.current === null || opts.current === undefined ? null : String(opts.current);
  const measure = measurer();
  const named = (x) => (x ? String((lang === "en" ? x.nameEn : x.name) || x.name || x.nameEn || x.id || "") : "");

  // The graph: a node per step (and per unknown step an outcome names), an edge per outcome.
  const nodes = new Map();
  for (const step of Array.isArray(def.steps) ? def.steps : []) {
    const id = String(step.id);
    if (!nodes.has(id)) nodes.set(id, { id, step, out: [] });
  }
  const edges = [];
  for (const n of [...nodes.values()]) {
    for (const outcome of Array.isArray(n.step.outcomes) ? n.step.outcomes : []) {
      const to = String(outcome.to);
      if (!nodes.has(to)) nodes.set(to, { id: to, step: null, out: [] });
      const edge = { from: n, to: nodes.get(to), outcome, back: false };
      edges.push(edge);
      n.out.push(edge);
    }
  }

  // Returns: an outcome reaching a step still being walked from the start (depth first, first outcome first).
  const startId = nodes.has(String(def.start)) ? String(def.start) : nodes.size > 0 ? nodes.keys().next().value : null;
  const walked = [];
  let order = 0;
  const visit = (n) => {
    n.walk = 1;
    n.order = order++;
    for (const e of n.out) {
      if (e.to.walk === 1) e.back = true;
      else if (!e.to.walk) visit(e.to);
    }
    n.walk = 2;
    walked.push(n);
  };
  if (startId !== null) visit(nodes.get(startId));
  for (const n of nodes.values()) if (!n.walk) visit(n);

  // Rows: the longest path from the start over the outcomes that lead on.
  for (const n of nodes.values()) n.row = 0;
  for (const n of walked.slice().reverse()) for (const e of n.out) if (!e.back) e.to.row = Math.max(e.to.row, n.row + 1);

  // Outcomes between the same two steps share one arrow (a reply's eight kinds of answer).
  const groups = [];
  const byKey = new Map();
  for (const e of edges) {
    const key = `${e.back ? "back" : "on"}|${e.from.id}|${e.to.id}`;
    if (!byKey.has(key)) {
      const g = { key, from: e.from, to: e.to, back: e.back, edges: [] };
      byKey.set(key, g);
      groups.push(g);
    }
    byKey.get(key).edges.push(e);
  }
  const forward = groups.filter((g) => !g.back);
  const returns = groups.filter((g) => g.back);

  // Each row's items: its steps, and a waypoint for every arrow passing through it.
  const rowCount = Math.max(0, ...[...nodes.values()].map((n) => n.row + 1));
  const rows = Array.from({ length: rowCount }, () => []);
  for (const n of nodes.values()) {
    n.kind = "node";
    n.key = n.order;
    n.preds = [];
    rows[n.row].push(n);
  }
  for (const g of forward) {
    g.hops = [g.from];
    for (let r = g.from.row + 1; r < g.to.row; r++) {
      const waypoint = { kind: "via", group: g, row: r, key: g.to.order + g.from.order / 1000, preds: [g.hops[g.hops.length - 1]] };
      g.hops.push(waypoint);
      rows[r].push(waypoint);
    }
    g.hops.push(g.to);
    g.to.preds.push(g.hops[g.hops.length - 2]);
  }

  // Columns: row by row, the item first reached on the main line takes its predecessor's column, others the nearest free.
  // A column where an arrow from above ends in this row is kept for the step it ends at, so that it can turn in.
  const grid = rows.map(() => new Map());
  for (let r = 0; r < rowCount; r++) {
    const kept = new Map((r > 0 ? rows[r - 1] : []).filter((i) => i.kind === "via" && i.group.to.row === r).map((i) => [i.col, i.group.to]));
    const taken = (col, item) => grid[r].has(col) || (kept.has(col) && kept.get(col) !== item);
    for (const item of rows[r].slice().sort((a, b) => a.key - b.key)) {
      const pred = item.preds.slice().sort((a, b) => a.key - b.key)[0];
      const want = pred ? pred.col : 0;
      let col = want;
      for (let k = 1; taken(col, item) && k < 8; k++) col = want + (k % 2 === 1 ? (k + 1) / 2 : -k / 2);
      for (let k = 1; grid[r].has(col); k++) col = want + (k % 2 === 1 ? (k + 1) / 2 : -k / 2);
      item.col = col;
      grid[r].set(col, item);
    }
  }
  const minCol = Math.min(0, ...rows.flat().map((i) => i.col));
  for (const item of rows.flat()) item.col -= minCol;
  for (let r = 0; r < rowCount; r++) grid[r] = new Map(rows[r].map((i) => [i.col, i]));
  const at = (r, c) => (r >= 0 && r < rowCount ? grid[r].get(c) : undefined);

  // The boxes: name, who acts, the step's own limit, and the marker of the current step.
  const sizes = { name: 15, small: 13 };
  const lineHeight = { name: 20, small: 17 };
  for (const n of nodes.values()) {
    const s = n.step;
    const lines = [];
    const add = (text, cls) => {
      const size = cls === "name" ? sizes.name : sizes.small;
      for (const t of wrap(text, size, cls === "name" || cls === "marker", 200, measure)) lines.push({ text: t, cls, size, bold: cls === "name" || cls === "marker" });
    };
    if (!s) {
      add(n.id, "name");
      add(w.unknown, "role");
    } else {
      add(named(s) || n.id, "name");
      if (s.terminal) add(w.end, "role");
      else add(w.roles[s.role] || String(s.role || ""), "role");
      if (s.perAssignment && !s.terminal) add(w.perAssignment, "role");
      if (s.limit && !s.terminal) {
        add(format(w.limit, limitWords(s.limitData, s.limit, w, lang === "zh")), "limit");
        if (s.limitFrom === "receipt") add(w.fromReceipt, "limit");
      }
      if (current !== null && n.id === current) add(w.current, "marker");
    }
    n.lines = lines;
    n.textWidth = Math.max(...lines.map((l) => measure(l.text, l.size, l.bold)));
    n.h = 14 + lines.reduce((sum, l) => sum + lineHeight[l.cls === "name" ? "name" : "small"], 0);
  }
  const boxWidth = Math.max(150, ...[...nodes.values()].map((n) => n.textWidth + 28));
  const rowHeight = rows.map((items) => Math.max(0, ...items.filter((i) => i.kind === "node").map((n) => n.h)));

  // The labels: one pill per outcome, its name and what it does to the clock; several outcomes of one arrow stack.
  const labelSize = 13, labelLine = 16, pillPad = 7;
  const pill = (e, maxWidth) => {
    const lines = wrap(named(e.outcome) || String(e.outcome.id || ""), labelSize, false, maxWidth, measure).map((text) => ({ text, cls: "outcome-name" }));
    const effect = effectWords(e.outcome.clock, w);
    // Every outcome reaching the end stops the clock: said only where it is news.
    if (effect && !(String(e.outcome.clock).startsWith("stop") && e.to.step && e.to.step.terminal)) lines.push({ text: effect, cls: "effect" });
    const width = Math.max(...lines.map((l) => measure(l.text, labelSize, false))) + 2 * pillPad;
    return { lines, width, height: lines.length * labelLine + 6 };
  };
  for (const g of groups) {
    g.variants = [];
    for (const maxWidth of [300, 180, 130]) {
      const pills = g.edges.map((e) => pill(e, maxWidth));
      const width = Math.max(...pills.map((p) => p.width));
      const height = pills.reduce((sum, p) => sum + p.height, 0) + (pills.length - 1) * 3;
      if (!g.variants.some((v) => v.width === width && v.height === height)) g.variants.push({ pills, width, height });
    }
  }

  // Rows and columns apart enough for the labels between them; widened where a label found no room.
  let pitch = boxWidth + 80;
  const gaps = Array.from({ length: Math.max(0, rowCount - 1) }, () => 46);
  for (const g of forward) {
    if (g.hops[1].col === g.from.col && g.from.row < gaps.length) gaps[g.from.row] = Math.max(gaps[g.from.row], g.variants[0].height + 30);
  }
  for (let attempt = 0; attempt < 12; attempt++) {
    const layout = place(pitch, gaps);
    // A label of a bent arrow wrapped only for want of room: a little wider is worth it.
    if (layout.failed.length === 0 && layout.squeezed.length > 0 && pitch < boxWidth + 200) {
      pitch += 30;
      continue;
    }
    if (layout.failed.length === 0) break;
    // A bent arrow's label needs a longer bend (wider columns); a straight one's a taller gap.
    const widen = layout.failed.some((f) => f.bent) && pitch < boxWidth + 400;
    if (widen) pitch += 40;
    for (const f of layout.failed) if ((!f.bent || !widen) && f.row < gaps.length) gaps[f.row] += f.height + 12;
  }

  // Places items, routes arrows and sets labels for the given column pitch and row gaps; says which labels found
  // no room, and which of a bent arrow found it only by wrapping.
  function place(colPitch, gapHeights) {
    const top = [];
    let y = 0;
    for (let r = 0; r < rowCount; r++) {
      top[r] = y;
      y += rowHeight[r] + (gapHeights[r] || 0);
    }
    for (const item of rows.flat()) {
      item.x = item.col * colPitch;
      if (item.kind === "node") {
        item.top = top[item.row] + (rowHeight[item.row] - item.h) / 2;
        item.bottom = item.top + item.h;
        item.mid = item.top + item.h / 2;
        item.left = item.x - boxWidth / 2;
        item.right = item.x + boxWidth / 2;
      } else {
        item.top = top[item.row];
        item.bottom = top[item.row] + rowHeight[item.row];
        item.mid = (item.top + item.bottom) / 2;
      }
    }
    const gapMid = (r) => top[r] + rowHeight[r] + (gapHeights[r] || 0) / 2;

    // How each hop of an arrow runs: straight down, out of the side then down, down then into the side, or a jog.
    for (const g of forward) {
      g.styles = [];
      for (let i = 0; i + 1 < g.hops.length; i++) {
        const a = g.hops[i], b = g.hops[i + 1];
        const lo = Math.min(a.col, b.col), hi = Math.max(a.col, b.col);
        const between = (r) => { for (let c = lo + 1; c < hi; c++) if (at(r, c)) return false; return true; };
        let style = "jog";
        if (a.col === b.col) style = "straight";
        else if (a.kind === "node" && between(a.row) && !at(a.row, b.col)) style = "sideDown";
        else if (b.kind === "node" && between(b.row) && (a.kind === "node" ? !(at(b.row, a.col) && at(b.row, a.col).kind === "node") : !at(b.row, a.col))) style = "downSide";
        g.styles.push(style);
      }
    }

    // Ports: where arrows leave and enter each box, spread so that no two share a line.
    for (const n of nodes.values()) n.ports = { bottom: [], top: [], left: [], right: [] };
    for (const g of forward) {
      const last = g.hops.length - 2;
      const a = g.hops[0], b = g.hops[1];
      const dir = Math.sign(b.col - a.col);
      if (g.styles[0] === "sideDown") a.ports[dir > 0 ? "right" : "left"].push({ g, end: "out", other: b.mid + 1 });
      else a.ports.bottom.push({ g, end: "out", dir, reach: b.col });
      const p = g.hops[last], q = g.hops[last + 1];
      const from = Math.sign(p.col - q.col);
      if (g.styles[last] === "downSide") q.ports[from > 0 ? "right" : "left"].push({ g, end: "in", other: p.mid - 1 });
      else q.ports.top.push({ g, end: "in", dir: from, reach: p.col });
    }
    const returnSide = new Map();
    for (const g of returns) {
      // Beside the steps on the right, unless something stands there and the left is clear.
      const clear = (side) => [g.from, g.to].every((n) => ![...grid[n.row].values()].some((i) => (side > 0 ? i.col > n.col : i.col < n.col)));
      const side = clear(1) || !clear(-1) ? "right" : "left";
      returnSide.set(g, side);
      g.from.ports[side].push({ g, end: "out", other: g.to.mid - (g.from === g.to ? 1 : 0) });
      g.to.ports[side].push({ g, end: "in", other: g.from.mid + (g.from === g.to ? 1 : 0) });
    }
    const spacing = 22;
    for (const n of nodes.values()) {
      for (const edge of ["bottom", "top"]) {
        const list = n.ports[edge];
        const left = list.filter((p) => p.dir < 0).sort((a, b) => b.reach - a.reach);
        const right = list.filter((p) => p.dir > 0).sort((a, b) => a.reach - b.reach);
        const step = Math.min(spacing, (boxWidth / 2 - 14) / Math.max(1, left.length, right.length));
        // Straight down through the middle; the others beside it, the nearest turning innermost.
        for (const p of list) p.offset = 0;
        left.forEach((p, i) => { p.offset = -(i + 1) * step; });
        right.forEach((p, i) => { p.offset = (i + 1) * step; });
        if (list.length === 1) list[0].offset = 0;
      }
      for (const side of ["left", "right"]) {
        const list = n.ports[side].sort((a, b) => a.other - b.other);
        const step = Math.min(12, (n.h - 12) / Math.max(1, list.length));
        list.forEach((p, i) => { p.offset = (i - (list.length - 1) / 2) * step; });
      }
    }
    const port = (n, g, end) => {
      for (const [edge, list] of Object.entries(n.ports)) {
        const p = list.find((x) => x.g === g && x.end === end);
        if (p) return { edge, offset: p.offset };
      }
      return { edge: end === "out" ? "bottom" : "top", offset: 0 };
    };
    // A step done by each department is drawn as a stack of cards: arrows leave and reach the stack's outline.
    const anchor = (n, g, end) => {
      const p = port(n, g, end);
      const stack = n.step && n.step.perAssignment ? 5 : 0;
      if (p.edge === "bottom") return { x: n.x + p.offset, y: n.bottom + stack };
      if (p.edge === "top") return { x: n.x + p.offset, y: n.top };
      return { x: p.edge === "right" ? n.right + stack : n.left, y: n.mid + p.offset };
    };

    // The forward arrows as polylines.
    for (const g of forward) {
      const pts = [];
      for (let i = 0; i + 1 < g.hops.length; i++) {
        const a = g.hops[i], b = g.hops[i + 1];
        const from = a.kind === "node" ? anchor(a, g, "out") : { x: a.x, y: a.bottom };
        const to = b.kind === "node" ? anchor(b, g, "in") : { x: b.x, y: b.top };
        if (i === 0 || a.kind === "node") pts.push(from);
        else pts.push({ x: a.x, y: a.top }, from);
        const style = g.styles[i];
        if (style === "sideDown") pts.push({ x: to.x, y: from.y });
        else if (style === "downSide") pts.push({ x: from.x, y: to.y });
        else if (from.x !== to.x) {
          const ym = gapMid(a.row);
          pts.push({ x: from.x, y: ym }, { x: to.x, y: ym });
        }
        pts.push(to);
      }
      g.points = simplify(pts);
    }

    // Labels: each arrow's names on one line where there is room anywhere along it, from the step it leaves on;
    // wrapped narrower only where they fit nowhere whole. Never over a box, another arrow's line or another label.
    const boxes = [...nodes.values()].map((n) => ({ x1: n.left - 2, x2: n.right + 6, y1: n.top - 2, y2: n.bottom + 6 }));
    const segmentsOf = (g) => {
      const list = [];
      for (let i = 0; i + 1 < g.points.length; i++) {
        const a = g.points[i], b = g.points[i + 1];
        list.push({ g, x1: Math.min(a.x, b.x), x2: Math.max(a.x, b.x), y1: Math.min(a.y, b.y), y2: Math.max(a.y, b.y), a, b, last: i + 2 === g.points.length });
      }
      return list;
    };
    const segments = forward.flatMap(segmentsOf);
    const labels = [];
    const failed = [];
    const squeezed = [];
    const free = (rect, g) => !boxes.some((b) => overlaps(rect, b, 0))
      && !segments.some((s) => s.g !== g && overlaps(rect, s, 3))
      && !labels.some((l) => overlaps(rect, l, 4));
    const ordered = forward.slice().sort((a, b) => a.from.row - b.from.row || b.edges.length - a.edges.length || a.from.x - b.from.x);
    for (const g of ordered) {
      let found = null;
      for (const v of g.variants) {
        for (const s of segmentsOf(g)) {
          const tries = [];
          if (s.x1 === s.x2) {
            // Midway down a short stretch; near its top on a long one (an arrow passing several rows).
            const lo = s.y1 + v.height / 2 + 4, hi = s.y2 - v.height / 2 - (s.last ? 12 : 4);
            if (hi - lo > 120) for (let y = lo; y <= hi; y += 3) tries.push({ x: s.x1, y });
            else for (let d = 0; lo <= hi && d <= (hi - lo) / 2 + 3; d += 3) tries.push({ x: s.x1, y: (lo + hi) / 2 - d }, { x: s.x1, y: (lo + hi) / 2 + d });
          } else {
            const lo = s.x1 + v.width / 2 + 6, hi = s.x2 - v.width / 2 - (s.last ? 12 : 6);
            for (let d = 0; lo <= hi && d <= (hi - lo) / 2 + 3; d += 3) tries.push({ x: (lo + hi) / 2 - d, y: s.y1 }, { x: (lo + hi) / 2 + d, y: s.y1 });
          }
          for (const c of tries) {
            const rect = { x1: c.x - v.width / 2, x2: c.x + v.width / 2, y1: c.y - v.height / 2, y2: c.y + v.height / 2 };
            if (free(rect, g)) { found = { ...rect, v }; break; }
          }
          if (found) break;
        }
        if (found) break;
      }
      if (found && found.v !== g.variants[0] && new Set(g.points.map((q) => q.x)).size > 1) squeezed.push(g);
      if (!found) {
        failed.push({ row: g.from.row, height: g.variants[g.variants.length - 1].height, bent: new Set(g.points.map((q) => q.x)).size > 1 });
        // Where it would have gone: on the first stretch below its step.
        const s = segmentsOf(g).find((x) => x.x1 === x.x2) || segmentsOf(g)[0];
        const v = g.variants[g.variants.length - 1];
        const cx = (s.x1 + s.x2) / 2, cy = (s.y1 + s.y2) / 2;
        found = { x1: cx - v.width / 2, x2: cx + v.width / 2, y1: cy - v.height / 2, y2: cy + v.height / 2, v };
      }
      g.label = found;
      labels.push(found);
    }

    // Returns: in lanes beside everything they pass, the shortest nearest; the label on the lane.
    const sideLanes = { right: [], left: [] };
    for (const g of returns.slice().sort((a, b) => (a.from.row - a.to.row) - (b.from.row - b.to.row))) {
      const side = returnSide.get(g);
      const sign = side === "right" ? 1 : -1;
      const out = anchor(g.from, g, "out"), into = anchor(g.to, g, "in");
      const y1 = Math.min(out.y, into.y), y2 = Math.max(out.y, into.y);
      const v = g.variants[0];
      let edge = sign > 0 ? -Infinity : Infinity;
      const reach = (x) => { edge = sign > 0 ? Math.max(edge, x) : Math.min(edge, x); };
      for (const n of nodes.values()) if (n.bottom >= y1 - 6 && n.top <= y2 + 6) reach(sign > 0 ? n.right : n.left);
      for (const s of segments) if (s.y2 >= y1 && s.y1 <= y2) reach(sign > 0 ? s.x2 : s.x1);
      for (const l of labels) if (l.y2 >= y1 - v.height && l.y1 <= y2 + v.height) reach(sign > 0 ? l.x2 : l.x1);
      for (const lane of sideLanes[side]) if (lane.y2 >= y1 - 8 && lane.y1 <= y2 + 8) reach(lane.outer);
      const x = edge + sign * (16 + v.width / 2);
      g.points = simplify([out, { x, y: out.y }, { x, y: into.y }, into]);
      const tall = y2 - y1 >= v.height + 16;
      const cx = tall ? x : x + sign * (v.width / 2 + 8);
      const cy = (y1 + y2) / 2;
      g.label = { x1: cx - v.width / 2, x2: cx + v.width / 2, y1: cy - v.height / 2, y2: cy + v.height / 2, v };
      labels.push(g.label);
      sideLanes[side].push({ y1, y2, outer: sign > 0 ? Math.max(x, g.label.x2) : Math.min(x, g.label.x1) });
    }
    return { failed, squeezed };
  }

  // --- drawing -------------------------------------------------------------------------------------------------
  const id = `workflow-diagram-${++drawn}`;
  const svg = node("svg", { class: "workflow-diagram", role: "img", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-desc`, "data-definition": def.id, "data-version": def.version });
  const title = format(w.title, (lang === "en" ? def.titleEn : def.title) || def.title || def.id || "", def.version === undefined ? "?" : def.version);
  const currentNode = current !== null ? nodes.get(current) : undefined;
  svg.append(node("title", { id: `${id}-title` }, currentNode ? `${title}${lang === "en" ? ". " : "。"}${format(w.currentIs, named(currentNode.step) || current)}` : title));
  const describe = [...nodes.values()].filter((n) => n.step).map((n) => {
    const s = n.step;
    const who = s.terminal ? w.end : [w.roles[s.role] || s.role, s.limit ? format(w.limit, limitWords(s.limitData, s.limit, w, lang === "zh")) : null].filter(Boolean).join(lang === "en" ? ", " : "，");
    const outs = n.out.map((e) => format(w.outcomeDesc, named(e.outcome), e.to.step ? named(e.to.step) : e.to.id));
    return format(w.stepDesc, named(s), who) + (outs.length > 0 ? w.sentence + outs.join(w.list) : "") + w.stop;
  });
  svg.append(node("desc", { id: `${id}-desc` }, format(w.count, nodes.size) + describe.join("")));

  const edgeLayer = node("g", { class: "edges" });
  const stepLayer = node("g", { class: "steps" });
  svg.append(edgeLayer, stepLayer);
  const extent = { x1: Infinity, x2: -Infinity, y1: Infinity, y2: -Infinity };
  const grow = (x1, y1, x2, y2) => {
    extent.x1 = Math.min(extent.x1, x1); extent.x2 = Math.max(extent.x2, x2);
    extent.y1 = Math.min(extent.y1, y1); extent.y2 = Math.max(extent.y2, y2);
  };

  for (const n of nodes.values()) {
    const s = n.step;
    const classes = [s ? "step" : "missing"];
    if (s && s.terminal) classes.push("terminal");
    if (s && s.perAssignment) classes.push("per-assignment");
    if (n.id === startId) classes.push("start-step");
    if (current !== null && n.id === current) classes.push("current");
    const g = node("g", { class: classes.join(" "), "data-step": n.id });
    g.append(node("title", {}, n.lines.map((l) => l.text).join(" · ")));
    const rx = s && s.terminal ? Math.min(n.h / 2, 22) : 6;
    if (s && s.perAssignment) g.append(node("rect", { class: "stack", x: round(n.left + 5), y: round(n.top + 5), width: round(boxWidth), height: round(n.h), rx }));
    g.append(node("rect", { class: "box", x: round(n.left), y: round(n.top), width: round(boxWidth), height: round(n.h), rx }));
    if (s && s.terminal) g.append(node("rect", { class: "inner", x: round(n.left + 3.5), y: round(n.top + 3.5), width: round(boxWidth - 7), height: round(n.h - 7), rx: Math.max(0, rx - 3.5) }));
    let ty = n.top + 7;
    for (const l of n.lines) {
      const lh = l.cls === "name" ? lineHeight.name : lineHeight.small;
      g.append(node("text", { class: l.cls, x: round(n.x), y: round(ty + lh * 0.74), "text-anchor": "middle", "font-size": l.size, "font-weight": l.bold ? "bold" : null }, l.text));
      ty += lh;
    }
    stepLayer.append(g);
    grow(n.left, n.top, n.right + (s && s.perAssignment ? 5 : 0), n.bottom + (s && s.perAssignment ? 5 : 0));
  }

  if (startId !== null) {
    const n = nodes.get(startId);
    const start = node("g", { class: "start" });
    start.append(node("title", {}, w.start), node("circle", { cx: round(n.x), cy: round(n.top - 30), r: 6 }));
    const { line, head } = arrowHead([{ x: n.x, y: n.top - 24 }, { x: n.x, y: n.top }]);
    start.append(node("path", { class: "line", d: pathData(line, 0) }), node("path", { class: "head", d: head }));
    edgeLayer.append(start);
    grow(n.x - 6, n.top - 36, n.x + 6, n.top);
  }

  for (const g of groups) {
    const { line, head } = arrowHead(g.points);
    g.edges.forEach((e, i) => {
      const classes = ["edge"];
      if (g.back) classes.push("back");
      if (current !== null && e.from.id === current) classes.push("from-current");
      if (!e.to.step) classes.push("dangling");
      const item = node("g", { class: classes.join(" "), "data-from": e.from.id, "data-to": e.to.id, "data-outcome": e.outcome.id });
      item.append(node("title", {}, format(w.outcomeDesc, named(e.outcome), e.to.step ? named(e.to.step) : e.to.id)));
      // The outcomes of one arrow share its line: each holds the whole path, the first paints it (a later one
      // painting it again would cross out the labels stacked on it).
      const shared = i > 0 ? " shared" : "";
      item.append(node("path", { class: `line${shared}`, d: pathData(line, 8) }), node("path", { class: `head${shared}`, d: head }));
      const label = g.label, v = label.v;
      let y = label.y1;
      for (let k = 0; k < i; k++) y += v.pills[k].height + 3;
      const p = v.pills[i];
      const box = node("g", { class: "label" });
      box.append(node("rect", { class: "pill", x: round(label.x1), y: round(y), width: round(v.width), height: round(p.height), rx: 4 }));
      p.lines.forEach((l, k) => box.append(node("text", { class: l.cls, x: round((label.x1 + label.x2) / 2), y: round(y + 3 + k * labelLine + 12.3), "text-anchor": "middle", "font-size": labelSize }, l.text)));
      item.append(box);
      edgeLayer.append(item);
    });
    for (const q of g.points) grow(q.x - 1, q.y - 1, q.x + 1, q.y + 1);
    grow(g.label.x1, g.label.y1, g.label.x2, g.label.y2);
  }

  // The overall clock above it all, in as many lines as the width needs.
  const parts = clockParts(def.clock, w, lang === "zh");
  if (parts.length > 0 && Number.isFinite(extent.x1)) {
    const width = Math.max(extent.x2 - extent.x1, 320);
    const lines = [];
    for (const part of parts) {
      const joined = lines.length > 0 ? `${lines[lines.length - 1]} · ${part}` : null;
      if (joined && measure(joined, 13, false) <= width) lines[lines.length - 1] = joined;
      else lines.push(part);
    }
    const header = node("g", { class: "clock" });
    let y = extent.y1 - 12 - (lines.length - 1) * 17;
    for (const text of lines) {
      header.append(node("text", { x: round(extent.x1), y: round(y), "font-size": 13 }, text));
      grow(extent.x1, y - 13, extent.x1 + measure(text, 13, false), y + 4);
      y += 17;
    }
    svg.insertBefore(header, edgeLayer);
  }

  const pad = 10;
  const x = Number.isFinite(extent.x1) ? extent.x1 - pad : 0, y = Number.isFinite(extent.y1) ? extent.y1 - pad : 0;
  const width = Number.isFinite(extent.x1) ? extent.x2 - extent.x1 + 2 * pad : 2 * pad, height = Number.isFinite(extent.y1) ? extent.y2 - extent.y1 + 2 * pad : 2 * pad;
  svg.setAttribute("viewBox", `${round(x)} ${round(y)} ${Math.ceil(width)} ${Math.ceil(height)}`);
  svg.setAttribute("width", String(Math.ceil(width)));
  svg.setAttribute("height", String(Math.ceil(height)));
  return svg;
}
