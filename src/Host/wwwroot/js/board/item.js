// One item (/items/{id}, where notices link): its light and facts, the deadline reckoned step by step, the departments
// it is assigned to, its history, its workflow drawn, and the actions the signed-in person may take, each a form.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { dateTime, lang, wordsOf } from "../core/text.js";
import { render } from "../diagram.js";
import { definitionOf, lightBadge, lightWords, named, spanWords, state, stepBadge, stepName, t } from "./shared.js";

// Assignment ids to department ids, for the item shown (actions name the department they act for).
let currentAssignments = new Map();
const assignmentDepartment = (id) => currentAssignments.get(id);

export async function showItem(id) {
  const detail = await api(`/api/items/${id}`);
  const item = detail.item;
  const definition = definitionOf(item.definition);
  currentAssignments = new Map(detail.assignments.map((a) => [a.id, a.department.id]));
  $("item-title").textContent = item.title;
  clear($("item-light")).append(lightBadge(item.light, item.seriouslyOverdue, item.paused));
  const facts = clear($("item-facts"));
  const fact = (label, value, cls) => facts.append(el("dt", { text: label }), el("dd", { class: cls, text: value }));
  fact(t("number"), String(item.id));
  fact(t("kind"), item.kind === "request" ? t("requests") : t("tasks"));
  fact(t("department"), item.department.name);
  fact(t("step"), stepName(item.step, definition));
  fact(t("received"), item.receivedOn);
  fact(item.kind === "request" ? t("replyDue") : t("due"), item.dueAt ? dateTime(item.dueAt) : item.dueOn || t("none"));
  if (detail.stepLimit) {
    const limit = detail.stepLimit;
    facts.append(el("dt", { text: t("stepLimit") }), el("dd", { class: "step-limit", "data-step-light": limit.light, title: t("stepLimitHint") },
      stepBadge(limit.light), ` ${limit.dueOn || ""} · ${named(limit.name)}`));
  }
  if ((item.provisionalYears || []).length > 0) fact(t("provisional"), t("provisionalDue", item.provisionalYears.join("、")), "hint provisional-note");
  if (item.result) fact(t("result"), item.result);
  const fields = item.fields || {};
  for (const [name, value] of Object.entries(fields)) fact(fieldLabel(definition, name), fieldText(name, value, fields, item.deadlineSpan), name === "planText" ? "quote" : null);
  if (fields.startsAfter && item.step === "assign") fact(t("awaitingEvent"), t("awaitingEventHint", fields.startsAfter), "hint");
  if (detail.lateCorrection) fact(t("lateCorrection"), t("lateCorrectionHint"), "hint");
  for (const p of detail.pendingExtensions || []) fact(t("pendingExtension"), t("pendingExtensionText", p.requestedBy, p.workingDays, p.reason), "hint");

  const assignments = $("assignments");
  clear(assignments.tHead).append(el("tr", {}, ...["assignment", "role", "step", "light", "due", "closed"].map((k) => el("th", { text: t(k) }))));
  const body = clear(assignments.tBodies[0]);
  for (const a of detail.assignments) {
    body.append(el("tr", {},
      el("td", { text: a.department.name }), el("td", { text: t(a.role) }), el("td", { text: stepName(a.step, definition) }),
      el("td", {}, lightBadge(a.light, a.seriouslyOverdue, a.paused), a.stepLimit ? [" ", stepBadge(a.stepLimit.light)] : null), el("td", { text: a.dueOn || "—" }),
      el("td", { text: a.closedAt ? dateTime(a.closedAt) : "—" })));
  }

  const historyList = clear($("history"));
  for (const h of detail.history) {
    const parts = [dateTime(h.at), h.actor === "system" ? t("system") : h.actor, t(h.action)];
    if (h.fromStep || h.toStep) parts.push(`${h.fromStep ? stepName(h.fromStep, definition) : ""} → ${h.toStep ? stepName(h.toStep, definition) : ""}`);
    if (h.toLight) parts.push(`${h.fromLight ? lightWords(h.fromLight) : ""} → ${lightWords(h.toLight)}`);
    const data = (h.detail && h.detail.data) || {};
    const said = h.detail && (h.detail.reason || h.detail.text || h.detail.note || data.reason || data.note);
    historyList.append(el("li", {}, el("span", { text: parts.join("　") }), said ? el("div", { class: "muted", text: String(said) }) : null));
  }

  // The deadline reckoned step by step: the item's own clock, or (tasks) each department's.
  const timeline = clear($("timeline"));
  const steps = (explanation) => ((explanation && explanation.steps) || []).map((step) => el("li", { text: named(step) }));
  const own = detail.assignments.filter((a) => a.explanation);
  timeline.append(...steps(detail.explanation));
  const perDepartment = clear($("assignment-timelines"));
  if (!detail.explanation) {
    for (const a of own) perDepartment.append(el("h3", { text: a.department.name }), el("ol", { class: "timeline" }, ...steps(a.explanation)));
  }
  $("explanation-text").textContent = detail.explanation || own.length > 0 ? "" : t("none");

  renderActions(item, detail.actions);
  showDiagram(item, definition);
}

// The item's workflow drawn by diagram.js (from the definitions read at sign-in), the step it stands at marked.
function showDiagram(item, definition) {
  const box = clear($("diagram"));
  const note = $("diagram-note");
  $("diagram-card").hidden = !definition;
  note.hidden = true;
  if ($("diagram-card").hidden) return;
  box.append(render(definition, { lang, current: item.step }));
  // Wider than the card (a phone): scrolled so that the current step is in view.
  const current = box.querySelector("g.step.current");
  if (current && box.scrollWidth > box.clientWidth) {
    const at = current.getBoundingClientRect(), frame = box.getBoundingClientRect();
    box.scrollLeft += at.left + at.width / 2 - (frame.left + box.clientWidth / 2);
  }
  const version = Number(String(item.definition).split(" v")[1]);
  if (version && version !== definition.version) {
    note.hidden = false;
    note.textContent = t("otherVersion", version, definition.version);
  }
}

// The definitions give their field labels in Chinese only; the English ones are the page's ("field.…" words).
const fieldEn = (name) => wordsOf("board", "en")[`field.${name}`] || name;

function fieldLabel(definition, name) {
  for (const d of definition ? [definition, ...state.definitions] : state.definitions) {
    for (const s of d.steps) {
      const f = [...(s.fields || []), ...(s.outcomes || []).flatMap((o) => o.fields || [])].find((x) => x.name === name);
      if (f) return lang === "zh" ? f.label : fieldEn(name);
    }
  }
  return lang === "zh" ? name : fieldEn(name);
}

// A task counted from an event keeps its span in its "deadline" field; the server sends it as data (deadlineSpan):
// said in words, with the event it counts from.
function fieldText(name, value, fields, span) {
  if (name !== "deadline" || !span) return String(value);
  return fields.startsAfter ? t("afterEvent", fields.startsAfter, spanWords(span)) : spanWords(span);
}

function renderActions(item, actions) {
  const box = clear($("actions"));
  $("action-error").textContent = "";
  if (actions.length === 0) { box.append(el("p", { class: "muted", text: t("noActions") })); return; }
  for (const action of actions) {
    const department = action.assignment ? (state.departments.find((d) => d.id === assignmentDepartment(action.assignment)) || {}).name : null;
    const title = `${named(action.name)}${department ? `（${department}）` : ""}`;
    const form = el("form", { "data-action": action.action, "data-outcome": action.outcome || "" });
    const inputs = [];
    const input = (name, label, node) => { inputs.push(name); form.append(el("label", {}, el("span", { text: label }), node)); };
    for (const f of action.fields) {
      const label = named(f.label) + (f.required ? " *" : "");
      if (f.type === "choice") input(`field:${f.name}`, label, el("select", { name: `field:${f.name}` }, el("option", { value: "" }), ...f.choices.map((c) => el("option", { value: c, text: c }))));
      else input(`field:${f.name}`, label, el("input", { name: `field:${f.name}`, type: f.type === "date" ? "date" : "text", required: f.required }));
    }
    switch (action.action) {
      case "pause": input("reason", t("reason"), el("select", { name: "reason", required: true }, ...action.choices.map((c) => el("option", { value: c, text: c })))); input("on", t("on"), el("input", { name: "on", type: "date" })); input("note", t("note"), el("input", { name: "note" })); break;
      case "resume": input("on", t("on"), el("input", { name: "on", type: "date" })); input("note", t("note"), el("input", { name: "note" })); break;
      case "extend": input("workingDays", t("days"), el("input", { name: "workingDays", type: "number", min: "1", required: true })); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      case "reject-extension": input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      case "override": input("dueOn", t("dueOn"), el("input", { name: "dueOn", type: "date", required: true })); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      case "transfer": input("department", t("department"), el("select", { name: "department", required: true }, ...state.departments.map((d) => el("option", { value: d.id, text: d.name })))); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      case "return": input("toStep", t("toStep"), el("select", { name: "toStep" }, ...action.choices.map((c) => el("option", { value: c, text: stepName(c, definitionOf(item.definition)) })))); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      case "report": input("text", t("text"), el("input", { name: "text", required: true })); break;
      case "withdraw": input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
      default: break;
    }
    form.append(el("button", { type: "submit", text: t("submit") }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const body = { step: action.step, outcome: action.outcome || undefined, assignment: action.assignment || undefined, version: item.version, fields: {} };
      for (const name of inputs) {
        const value = data.get(name);
        if (value === null || value === "") continue;
        if (name.startsWith("field:")) body.fields[name.slice(6)] = String(value);
        else body[name] = name === "workingDays" ? Number(value) : String(value);
      }
      try {
        await api(`/api/items/${item.id}/actions/${action.action}`, { method: "POST", body });
        await showItem(item.id);
        $("action-error").textContent = "";
      } catch (error) {
        if (error.status === 401) return;
        if (error.status === 409) {
          // Someone acted first (or the page was stale): shown as it now stands, said so, the server's words kept.
          await showItem(item.id).catch(() => {});
          $("action-error").textContent = t("changedMeanwhile", error.message);
          return;
        }
        $("action-error").textContent = error.message;
      }
    });
    box.append(el("details", { class: "action" }, el("summary", { text: title }), form));
  }
}

