// Workflow definitions (/admin/definitions): each definition in force drawn, and its steps, who acts, limits and outcomes.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { lang } from "../core/text.js";
import { limitInWords, render } from "../diagram.js";
import { state, t } from "./shared.js";

export async function showDefinitions() {
  if (!state.definitions) state.definitions = await api("/api/definitions");
  const box = clear($("definitions"));
  box.append(el("p", { class: "muted", text: t("definitionsHint") }));
  for (const d of state.definitions) {
    const names = new Map(d.steps.map((s) => [s.id, lang === "zh" ? s.name : s.nameEn]));
    const diagram = el("div", { class: "diagram" });
    diagram.append(render(d, { lang, current: null }));
    box.append(el("article", { class: "card definition", "data-definition": d.id },
      el("div", { class: "card-head" }, el("h2", { text: lang === "zh" ? d.title : d.titleEn }), el("span", { class: "muted", text: `${d.id} · ${t("definitionVersion", d.version)}` })),
      diagram,
      el("table", { class: "admin-table steps" },
        el("thead", {}, el("tr", {}, el("th", { text: t("steps") }), el("th", { text: t("who") }), el("th", { text: t("limit") }), el("th", { text: t("outcomes") }))),
        el("tbody", {}, d.steps.map((s) => el("tr", { "data-step": s.id },
          el("td", { text: `${names.get(s.id)}${s.terminal ? t("terminal") : ""}` }),
          el("td", { text: t(`role.${s.role}`) }),
          el("td", { text: s.limit ? limitInWords(s.limitData, s.limit, lang) : "" }),
          el("td", {}, s.outcomes.map((o) => el("div", { text: `${lang === "zh" ? o.name : o.nameEn} → ${names.get(o.to) || o.to}` })))))))));
  }
}

