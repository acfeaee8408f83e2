// People and their API tokens (/admin/people): find, add, edit (role, department, e-mail, password, disabled), sign
// out, unlock a held sign-in; each person's tokens made (shown once) and revoked.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { act, button, departmentOptions, loadDepartments, roles, state, t, when } from "./shared.js";

export async function showPeople() {
  await loadDepartments();
  const filters = $("people-filters").elements;
  const keep = { role: filters.role.value, department: filters.department.value };
  fillRoles(filters.role, t("all"));
  filters.role.value = keep.role;
  departmentOptions(filters.department, { blank: t("all") });
  filters.department.value = keep.department;
  const add = $("person-add").elements;
  fillRoles(add.role);
  add.role.value = add.role.value || "handler";
  departmentOptions(add.department, {});
  await loadPeople();
}

function fillRoles(select, blank) {
  const value = select.value;
  clear(select);
  if (blank) select.append(el("option", { value: "", text: blank }));
  for (const role of roles) select.append(el("option", { value: role, text: t(`role.${role}`) }));
  select.value = value;
}

async function loadPeople() {
  const form = $("people-filters").elements;
  const query = new URLSearchParams();
  for (const name of ["text", "role", "department", "disabled"]) if (form[name].value) query.set(name, form[name].value);
  const [people, held] = await Promise.all([api(`/api/admin/users?${query}`), api("/api/admin/sign-in-locks")]);
  state.people = people;
  const holds = new Map(held.filter((h) => h.key.startsWith("login:")).map((h) => [h.key.slice(6), h]));
  const body = clear($("people").tBodies[0]);
  for (const p of people) {
    const hold = holds.get(p.login.toLowerCase());
    const until = hold && (hold.lockedUntil || hold.lastFailureAt);
    const status = el("td", {},
      el("span", { class: p.disabled ? "tag tag-off" : "tag tag-on", text: t(p.disabled ? "disabled" : "enabled") }),
      p.mustChangePassword ? el("span", { class: "tag", text: t("mustChange") }) : null,
      hold ? el("span", { class: "tag tag-warn", text: t("locked", when(until)) }) : null,
      hold ? button("unlock", () => act(async () => { await api(`/api/admin/sign-in-locks?key=${encodeURIComponent(hold.key)}`, { method: "DELETE" }); await loadPeople(); }, t("unlocked", p.login)), "link") : null);
    body.append(el("tr", { "data-login": p.login, class: p.disabled ? "off" : null },
      el("td", { text: p.login }), el("td", { text: p.displayName }), el("td", { text: t(`role.${p.role}`) }), el("td", { text: p.department.name }),
      el("td", { text: p.email || "" }), status, el("td", { class: "num", text: String(p.activeTokens) }),
      el("td", { class: "row-actions" }, button("edit", () => editPerson(p)), button("tokens", () => showTokens(p)),
        button("signOutPerson", () => act(() => api(`/api/admin/users/${encodeURIComponent(p.login)}/sign-out`, { method: "POST" }), t("signedOut", p.displayName))))));
  }
  $("people-count").textContent = t("peopleCount", people.length);
}

function panel(title, ...content) {
  const box = clear($("person-panel"));
  box.hidden = false;
  box.append(el("div", { class: "card-head" }, el("h3", { text: title }), button("close", () => { box.hidden = true; })), ...content);
  box.scrollIntoView({ block: "nearest" });
  return box;
}

function editPerson(p) {
  const role = el("select", { name: "role" });
  fillRoles(role);
  role.value = p.role;
  const department = el("select", { name: "department" });
  departmentOptions(department, { selected: p.department.id });
  const form = el("form", { class: "inline-form", id: "person-edit" },
    el("label", {}, el("span", { text: t("displayName") }), el("input", { name: "displayName", value: p.displayName, required: true, maxlength: "100" })),
    el("label", {}, el("span", { text: t("role") }), role),
    el("label", {}, el("span", { text: t("department") }), department),
    el("label", {}, el("span", { text: t("email") }), el("input", { name: "email", type: "email", value: p.email || "" })),
    el("label", { class: "grow" }, el("span", { text: t("newPassword") }), el("input", { name: "password", type: "text", minlength: "10", autocomplete: "off" })),
    el("label", { class: "check" }, el("input", { name: "disabled", type: "checkbox", checked: p.disabled }), el("span", { text: t("disableAccount") })),
    el("button", { type: "submit", text: t("save") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const change = {};
    if (f.displayName.value.trim() !== p.displayName) change.displayName = f.displayName.value.trim();
    if (f.role.value !== p.role) change.role = f.role.value;
    if (Number(f.department.value) !== p.department.id) change.department = f.department.value;
    if ((f.email.value.trim() || null) !== (p.email || null)) change.email = f.email.value.trim() || null;
    if (f.disabled.checked !== p.disabled) change.disabled = f.disabled.checked;
    if (f.password.value) change.password = f.password.value;
    if (Object.keys(change).length === 0) { $("person-panel").hidden = true; return; }
    await act(async () => {
      await api(`/api/admin/users/${encodeURIComponent(p.login)}`, { method: "PATCH", body: change });
      $("person-panel").hidden = true;
      await loadPeople();
    }, t("personSaved", f.displayName.value.trim()));
  });
  panel(t("editPerson", `${p.displayName}（${p.login}）`), form);
}

async function showTokens(p) {
  const list = el("tbody");
  const reveal = el("div", { class: "token-once", hidden: true });
  const form = el("form", { class: "inline-form", id: "token-create" },
    el("label", { class: "grow" }, el("span", { text: t("tokenName") }), el("input", { name: "name", required: true, maxlength: "100" })),
    el("button", { type: "submit", text: t("createToken") }));
  const load = async () => {
    const tokens = await api(`/api/admin/users/${encodeURIComponent(p.login)}/tokens`);
    clear(list);
    if (tokens.length === 0) list.append(el("tr", {}, el("td", { colspan: "4", class: "muted", text: t("noTokens") })));
    for (const token of tokens) {
      list.append(el("tr", { "data-token": String(token.id), class: token.revokedAt ? "off" : null },
        el("td", { text: token.name }), el("td", { text: when(token.createdAt) }), el("td", { text: when(token.lastUsedAt) }),
        el("td", {}, token.revokedAt ? el("span", { class: "muted", text: t("revoked", when(token.revokedAt)) })
          : button("revoke", () => confirm(t("confirmRevoke", token.name)) && act(async () => { await api(`/api/admin/tokens/${token.id}`, { method: "DELETE" }); await load(); await loadPeople(); })))));
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const created = await act(() => api(`/api/admin/users/${encodeURIComponent(p.login)}/tokens`, { method: "POST", body: { name: form.elements.name.value.trim() } }));
    if (!created) return;
    form.reset();
    const code = el("code", { id: "new-token", text: created.token });
    const copy = button("copy", async () => { await navigator.clipboard.writeText(created.token).catch(() => {}); copy.textContent = t("copied"); });
    clear(reveal).append(el("p", { text: t("tokenOnce") }), el("div", { class: "token-line" }, code, copy));
    reveal.hidden = false;
    await load();
    await loadPeople();
  });
  panel(t("tokensOf", `${p.displayName}（${p.login}）`), reveal,
    el("table", { class: "admin-table", id: "tokens" }, el("thead", {}, el("tr", {}, el("th", { text: t("name") }), el("th", { text: t("created") }), el("th", { text: t("lastUsed") }), el("th", { text: t("actions") }))), list),
    form);
  await act(load);
}

/** Wires the section's forms. */
export function wire() {
  $("people-filters").addEventListener("submit", (event) => { event.preventDefault(); act(loadPeople); });
  $("person-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const body = { login: f.login.value.trim(), displayName: f.displayName.value.trim(), role: f.role.value, department: f.department.value, password: f.password.value };
    if (f.email.value.trim()) body.email = f.email.value.trim();
    await act(async () => {
      await api("/api/admin/users", { method: "POST", body });
      event.target.reset();
      await showPeople();
    }, t("personAdded", body.displayName));
  });
}
