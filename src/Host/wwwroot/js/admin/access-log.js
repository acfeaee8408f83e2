// The access log (/admin/access-log): who called what and when, refused calls marked, filtered and paged.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { act, state, t, when } from "./shared.js";

export async function showLog() {
  await loadLog(false);
}

async function loadLog(more) {
  let path;
  if (more && state.logNext) {
    path = state.logNext;
  } else {
    const form = $("log-filters").elements;
    const query = new URLSearchParams({ limit: "50" });
    for (const name of ["user", "route", "status", "from", "to"]) if (form[name].value.trim()) query.set(name, form[name].value.trim());
    path = `/api/admin/access-log?${query}`;
  }
  const page = await api(path);
  const body = $("access-log").tBodies[0];
  if (!more) clear(body);
  for (const e of page.entries) {
    body.append(el("tr", { class: e.allowed ? null : "refused" },
      el("td", { text: when(e.at) }), el("td", { text: e.actor }), el("td", {}, el("code", { text: `${e.method} ${e.path}` })),
      el("td", { class: "num", text: String(e.status) }),
      el("td", { text: e.detail || (e.reason ? t("refusedBecause", e.reason) : "") })));
  }
  if (!more && page.entries.length === 0) body.append(el("tr", {}, el("td", { colspan: "5", class: "muted", text: t("noEntries") })));
  state.logNext = page.next;
  $("log-more").hidden = !page.next;
}

/** Wires the section's forms. */
export function wire() {
  $("log-filters").addEventListener("submit", (event) => { event.preventDefault(); act(() => loadLog(false)); });
  $("log-more").addEventListener("click", () => act(() => loadLog(true)));
}
