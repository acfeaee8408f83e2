// My work (/my, where handlers and leads land): the signed-in person's open assignments, most urgent first, each with
// its light, due day, working days left or over, step and the actions to take; an action that asks for nothing is
// one tap here, the others open the item's page.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { lightBadge, named, pageLink, t } from "./shared.js";

export async function showMyWork() {
  const work = await api("/api/my/work");
  const list = clear($("my-work"));
  $("my-empty").hidden = work.rows.length > 0;
  $("my-count").textContent = work.more ? t("myCountMore", work.rows.length) : t("myCount", work.rows.length);
  for (const row of work.rows) list.append(workRow(row));
}

function workRow(row) {
  const due = row.dueOn || (row.dueAt ? row.dueAt.slice(0, 10) : "");
  const left = row.workingDaysLeft;
  const when = left === null || left === undefined ? "" : left < 0 ? t("daysOver", -left) : left === 0 ? t("dueToday") : t("daysLeft", left);
  const title = pageLink(`/items/${row.itemId}`, { class: "work-title", text: row.title });
  const actions = el("div", { class: "work-actions" });
  // A refusal (someone else acted first, a rule of the workflow) is said on the row, in the server's words.
  const refused = el("div", { class: "error work-error", role: "alert" });
  // Many outcomes (a reply's eight kinds): chosen on the item's page, where each says what it means.
  if (row.actions.length > 3) {
    actions.append(pageLink(`/items/${row.itemId}`, { class: "button", text: t("openItem") }));
  }
  for (const a of row.actions.length > 3 ? [] : row.actions) {
    const name = named(a.name);
    // One tap when the action asks for nothing; otherwise its form on the item's page.
    if (a.fields.some((f) => f.required)) {
      actions.append(pageLink(`/items/${row.itemId}`, { class: "button secondary", text: `${name}…` }));
      continue;
    }
    actions.append(el("button", {
      type: "button", text: name, "data-action": a.action, "data-outcome": a.outcome || "",
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          await api(`/api/items/${row.itemId}/actions/${a.action}`, { method: "POST", body: { step: a.step, outcome: a.outcome, assignment: a.assignment } });
          await showMyWork();
        } catch (problem) {
          e.target.disabled = false;
          if (problem.status === 401) return;
          // Done already by someone else (409): said in the page's words, the server's in the tooltip.
          refused.textContent = problem.status === 409 ? t("actedFirst") : problem.message;
          refused.title = problem.message;
        }
      },
    }));
  }
  return el("li", { class: "work-row", "data-item-id": String(row.itemId), "data-light": row.seriouslyOverdue ? "serious" : row.light, "data-due": due },
    el("div", { class: "work-light" }, lightBadge(row.light, row.seriouslyOverdue, row.paused)),
    el("div", { class: "work-main" }, title,
      el("div", { class: "muted" }, `${named(row.stepName)} · ${row.department.name}${due ? ` · ${t("dueLabel", due)}` : ""}`),
      when ? el("div", { class: `work-left${left < 0 ? " over" : ""}`, text: when }) : null, refused),
    actions);
}

