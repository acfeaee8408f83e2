// Notice channels (/admin/channels): where a department's notices go besides the inbox (WeCom, DingTalk, a webhook),
// each tested with a real message, edited or removed.
import { api } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { act, button, channelKinds, departmentOptions, loadDepartments, t, when } from "./shared.js";

export async function showChannels() {
  await loadDepartments();
  const add = $("channel-add").elements;
  departmentOptions(add.department, {});
  const kind = add.channel.value;
  clear(add.channel);
  for (const k of channelKinds) add.channel.append(el("option", { value: k, text: t(`channel.${k}`) }));
  if (kind) add.channel.value = kind;
  await loadChannels();
}

async function loadChannels() {
  const channels = await api("/api/admin/channels");
  const body = clear($("channels").tBodies[0]);
  for (const c of channels) {
    const answer = el("div", { class: "test-answer", role: "status" });
    const row = el("tr", { "data-channel": String(c.id) },
      el("td", { text: c.department.name }), el("td", { text: t(`channel.${c.channel}`) }), el("td", { class: "address", text: c.address, title: c.address }),
      el("td", { text: t(c.hasSecret ? "yes" : "no") }), el("td", { class: "delivered", text: c.lastDelivery ? when(c.lastDelivery) : t("never") }),
      el("td", { class: "failed" }, c.lastFailure ? [el("div", { text: when(c.lastFailure.at) }), el("div", { class: "muted", text: c.lastFailure.error || "" })] : t("none")),
      el("td", { class: "row-actions" },
        button("test", async () => {
          answer.className = "test-answer";
          answer.textContent = t("testing");
          const result = await act(() => api(`/api/admin/channels/${c.id}/test`, { method: "POST" }));
          if (!result) { answer.textContent = ""; return; }
          await loadChannels();
          const fresh = document.querySelector(`#channels tr[data-channel="${c.id}"] .test-answer`);
          fresh.className = `test-answer ${result.delivered ? "ok" : "bad"}`;
          fresh.textContent = t(result.delivered ? "testOk" : "testFailed", result.answer);
        }),
        button("edit", () => editChannel(row, c)),
        button("remove", () => confirm(t("confirmRemoveChannel")) && act(async () => { await api(`/api/admin/channels/${c.id}`, { method: "DELETE" }); await loadChannels(); }, t("channelRemoved"))),
        answer));
    body.append(row);
  }
}

function editChannel(row, c) {
  const department = el("select", { name: "department", "aria-label": t("department") });
  departmentOptions(department, { selected: c.department.id });
  const kind = el("select", { name: "channel", "aria-label": t("channelKind") });
  for (const k of channelKinds) kind.append(el("option", { value: k, text: t(`channel.${k}`), selected: k === c.channel }));
  const form = el("form", { class: "inline-form" }, department, kind,
    el("input", { name: "address", type: "url", value: c.address, required: true, "aria-label": t("address"), class: "grow" }),
    el("input", { name: "secret", type: "password", placeholder: t("newSecret"), "aria-label": t("newSecret"), autocomplete: "off" }),
    c.hasSecret ? el("label", { class: "check" }, el("input", { name: "removeSecret", type: "checkbox" }), el("span", { text: t("removeSecret") })) : null,
    el("button", { type: "submit", class: "small", text: t("save") }), button("cancel", () => cell.parentNode.replaceWith(row)));
  const cell = el("td", { colspan: "7" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const change = {};
    if (Number(f.department.value) !== c.department.id) change.department = f.department.value;
    if (f.channel.value !== c.channel) change.channel = f.channel.value;
    if (f.address.value.trim() !== c.address) change.address = f.address.value.trim();
    if (f.secret.value) change.secret = f.secret.value;
    else if (f.removeSecret && f.removeSecret.checked) change.secret = null;
    if (Object.keys(change).length === 0) { cell.parentNode.replaceWith(row); return; }
    await act(async () => { await api(`/api/admin/channels/${c.id}`, { method: "PATCH", body: change }); await loadChannels(); }, t("channelSaved"));
  });
  row.replaceWith(el("tr", { "data-channel": String(c.id) }, cell));
}

/** Wires the section's forms. */
export function wire() {
  $("channel-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const body = { department: f.department.value, channel: f.channel.value, address: f.address.value.trim() };
    if (f.secret.value) body.secret = f.secret.value;
    await act(async () => {
      await api("/api/admin/channels", { method: "POST", body });
      f.address.value = "";
      f.secret.value = "";
      await loadChannels();
    }, t("channelAdded"));
  });
}
