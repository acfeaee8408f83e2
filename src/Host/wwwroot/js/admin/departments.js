// Departments (/admin/departments): the tree, each department renamed, given aliases and groups, moved, given a
// department under it or removed (the server refuses removing one still in use, and says why).
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { treeOrder } from "../core/departments.js";
import { act, button, departmentOptions, loadDepartments, state, t } from "./shared.js";

export async function showDepartments() {
  await loadDepartments();
  renderTree();
  departmentOptions($("department-add").elements.parent, { blank: t("top") });
}

function descendantsOf(id) {
  const { children } = treeOrder(state.departments);
  const found = new Set([id]);
  const walk = (parent) => { for (const c of children.get(parent) || []) { found.add(c.id); walk(c.id); } };
  walk(id);
  return found;
}

function renderTree() {
  const tree = clear($("department-tree"));
  const { children } = treeOrder(state.departments);
  const branch = (parent, list) => {
    for (const d of (children.get(parent) || []).sort((a, b) => a.name.localeCompare(b.name, "zh-CN"))) {
      const node = el("li", { "data-department": String(d.id) }, departmentRow(d));
      if (children.has(d.id)) {
        const sub = el("ul");
        branch(d.id, sub);
        node.append(sub);
      }
      list.append(node);
    }
  };
  branch(null, tree);
}

function departmentRow(d) {
  const row = el("div", { class: "tree-row" },
    el("span", { class: "tree-name", text: d.name }),
    d.aliases.length ? el("span", { class: "muted", text: t("aliases", d.aliases.join("、")) }) : null,
    d.groups.map((g) => el("span", { class: "tag group", text: g })),
    el("span", { class: "tree-actions" },
      button("rename", () => editDepartment(row, d)),
      button("addChild", () => addChild(row, d)),
      button("move", () => moveDepartment(row, d)),
      button("remove", () => removeDepartment(d))));
  return row;
}

function inlineForm(row, fields, onsave) {
  const form = el("form", { class: "tree-edit" }, fields, el("button", { type: "submit", class: "small", text: t("save") }), button("cancel", () => form.replaceWith(row)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await onsave(form);
  });
  row.replaceWith(form);
  const first = form.querySelector("input, select");
  if (first) first.focus();
  return form;
}

function editDepartment(row, d) {
  inlineForm(row, [
    el("input", { name: "name", value: d.name, required: true, "aria-label": t("name"), maxlength: "100" }),
    el("input", { name: "aliases", value: d.aliases.join("，"), "aria-label": t("aliasesHint"), placeholder: t("aliasesHint") }),
    el("input", { name: "groups", value: d.groups.join("，"), "aria-label": t("groups"), placeholder: t("groups"), class: "wide" }),
  ], (form) => act(async () => {
    await api(`/api/admin/departments/${d.id}`, { method: "PATCH", body: { name: form.elements.name.value.trim(), aliases: splitNames(form.elements.aliases.value), groups: splitNames(form.elements.groups.value) } });
    await showDepartments();
  }, t("departmentSaved", form.elements.name.value.trim())));
}

function addChild(row, d) {
  const form = inlineForm(row, [el("input", { name: "name", required: true, placeholder: t("childName"), "aria-label": t("childName"), maxlength: "100" })],
    (f) => act(async () => {
      await api("/api/admin/departments", { method: "POST", body: { name: f.elements.name.value.trim(), parent: String(d.id) } });
      await showDepartments();
    }, t("departmentAdded", f.elements.name.value.trim())));
  form.prepend(el("span", { class: "tree-name", text: `${d.name} ›` }));
}

function moveDepartment(row, d) {
  const select = el("select", { name: "parent", "aria-label": t("moveUnder") });
  departmentOptions(select, { blank: t("top"), exclude: descendantsOf(d.id), selected: d.parentId });
  const form = inlineForm(row, [select], (f) => act(async () => {
    const parent = f.elements.parent.value;
    await api(`/api/admin/departments/${d.id}`, { method: "PATCH", body: { parent: parent === "" ? null : parent } });
    await showDepartments();
  }, t("departmentSaved", d.name)));
  form.prepend(el("span", { class: "tree-name", text: `${d.name} → ` }));
}

async function removeDepartment(d) {
  if (!confirm(t("confirmRemoveDepartment", d.name))) return;
  await act(async () => {
    await api(`/api/admin/departments/${d.id}`, { method: "DELETE" });
    await showDepartments();
  }, t("departmentRemoved", d.name));
}

const splitNames = (text) => text.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean);

/** Wires the section's forms. */
export function wire() {
  $("department-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const name = f.name.value.trim();
    await act(async () => {
      await api("/api/admin/departments", { method: "POST", body: { name, parent: f.parent.value || null, aliases: splitNames(f.aliases.value), groups: splitNames(f.groups.value) } });
      event.target.reset();
      await showDepartments();
    }, t("departmentAdded", name));
  });
}
