// Display links (大屏链接): the wall (/wall) on a meeting room's screen stays signed in for weeks with a link an
// administrator or supervisor makes, read-only, limited to a department and those under it, revocable at once, never
// a person's password. Shown by the administration (/admin/displays) and, for supervisors, by the board's page
// (/displays); both give it a box to fill. Its words are the "displays" part of ../text.
import { api } from "./core/api.js";
import { treeOrder } from "./core/departments.js";
import { clear, el } from "./core/dom.js";
import { dateTime, textOf } from "./core/text.js";

const t = textOf("displays");
const when = (at) => (at ? dateTime(at, { hour12: false }) : t("never"));

/**
 * Fills `box` with the display links the person may see, a form to make one, and the address of the one just made
 * (shown once). `departments` are those a link may be made for (from /api/departments or /api/admin/departments);
 * `within` (a department id) limits the choice to that department and those under it (a supervisor's own).
 */
export async function showDisplays(box, { departments, within = null }) {
  const status = el("p", { class: "notice", role: "status", "aria-live": "polite", hidden: true });
  const failure = el("p", { class: "error", role: "alert" });
  const once = el("div", { id: "display-once", class: "token-once", hidden: true });
  const body = el("tbody");
  const table = el("table", { id: "displays", class: "admin-table" },
    el("thead", {}, el("tr", {}, ...["name", "department", "created", "lastUsed", "actions"].map((k) => el("th", { scope: "col", text: t(k) })))),
    body);
  const select = el("select", { name: "department", required: true },
    treeOrder(departments, within === null ? null : [within]).ordered.map(({ department, depth }) =>
      el("option", { value: String(department.id), text: `${"　".repeat(depth)}${department.name}` })));
  const form = el("form", { id: "display-add", class: "card inline-form" },
    el("h3", { text: t("add") }),
    el("label", { class: "grow" }, el("span", { text: t("purpose") }), el("input", { name: "name", required: true, maxlength: "100", placeholder: t("purposeExample") })),
    el("label", {}, el("span", { text: t("department") }), select),
    el("button", { type: "submit", text: t("make") }));

  const say = (message) => { failure.textContent = ""; status.textContent = message; status.hidden = !message; };
  const fail = (error) => { status.hidden = true; if (error.status !== 401) failure.textContent = error.message; };

  async function load() {
    const links = await api("/api/display-links");
    clear(body);
    if (links.length === 0) body.append(el("tr", {}, el("td", { colspan: "5", class: "muted", text: t("none") })));
    for (const l of links) {
      const revoke = el("button", {
        type: "button", class: "secondary small", text: t("revoke"),
        onclick: async () => {
          if (!confirm(t("confirmRevoke", l.name))) return;
          try {
            await api(`/api/display-links/${l.id}`, { method: "DELETE" });
            await load();
            say(t("revokedNow", l.name));
          } catch (error) {
            fail(error);
          }
        },
      });
      body.append(el("tr", { "data-display": String(l.id), class: l.revokedAt ? "off" : null },
        el("td", { text: l.name }), el("td", { text: l.department.name }),
        el("td", { "data-label": t("created"), text: `${when(l.createdAt)}　${l.createdBy || ""}`.trim() }),
        el("td", { "data-label": t("lastUsed"), text: when(l.lastUsedAt) }),
        el("td", {}, l.revokedAt ? el("span", { class: "muted", text: t("revoked", when(l.revokedAt)) }) : revoke)));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    try {
      const made = await api("/api/display-links", { method: "POST", body: { name: f.name.value.trim(), department: f.department.value } });
      f.name.value = "";
      const address = `${location.origin}${made.url}`;
      const copy = el("button", {
        type: "button", class: "secondary small", text: t("copy"),
        onclick: async () => { await navigator.clipboard.writeText(address).catch(() => {}); copy.textContent = t("copied"); },
      });
      clear(once).append(el("p", { text: t("once") }),
        el("div", { class: "token-line" }, el("code", { id: "new-display-url", text: address }), copy, el("a", { href: made.url, target: "_blank", rel: "noopener", text: t("open") })));
      once.hidden = false;
      say(t("made", made.name || f.name.value));
      await load();
    } catch (error) {
      fail(error);
    }
  });

  clear(box).append(
    el("div", { class: "card" },
      el("div", { class: "card-head" }, el("h2", { text: t("title") }), el("span", { class: "muted", text: t("hint") })),
      status, failure, once, table),
    form);
  await load();
}
