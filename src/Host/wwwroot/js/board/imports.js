// Plan imports (/imports and /imports/{id}, supervisors): upload a plan, read what was understood (items, tasks,
// units, deadlines as read and as written), confirm it, and the recent imports.
import { Problem, api, followJob } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { dateTime, hasText } from "../core/text.js";
import { pageLink, showError, spanWords, t } from "./shared.js";

const maxPlanBytes = 10 * 1024 * 1024;
// The import shown: confirming it needs its id.
let currentImport = null;

function deadlineWords(d) {
  switch (d.kind) {
    case "dated": return t("dueBy", d.due);
    case "relative": return t("afterEvent", d.event || t("theEvent"), d.span ? spanWords(d.span) : d.limit || "");
    case "ongoing": return t("ongoing");
    case "continuous": return t("continuous");
    default: return d.text;
  }
}

// The layout the server read the file as ("Workbook", "Word table", "Word Prose", "CSV", "TabSeparated"…) in words.
function layoutWords(layout) {
  if (hasText("board", `layout.${layout}`)) return t(`layout.${layout}`);
  const word = /^Word (\w+)$/.exec(layout);
  return word && hasText("board", `layout.${word[1]}`) ? `Word ${t(`layout.${word[1]}`)}` : layout;
}

export async function showImports(id) {
  $("upload-error").textContent = "";
  if (id === null) {
    currentImport = null;
    $("import-report").hidden = true;
  } else {
    try {
      renderImport(await api(`/api/imports/${id}`));
    } catch (error) {
      if (error.status === 401) throw error;
      currentImport = null;
      $("import-report").hidden = true;
      $("upload-error").textContent = error.message;
    }
  }
  await loadImportList();
}

async function uploadPlan(form) {
  const error = $("upload-error");
  error.textContent = "";
  const data = new FormData(form);
  const file = data.get("file");
  if (!(file instanceof File) || file.name === "") { error.textContent = t("chooseFile"); return; }
  // Refused here too, so ten megabytes are not sent only to be turned away.
  if (file.size > maxPlanBytes) { error.textContent = t("fileTooLarge"); return; }
  for (const name of ["year", "plan"]) if (String(data.get(name) || "").trim() === "") data.delete(name);
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const detail = await api("/api/imports", { method: "POST", body: data });
    form.reset();
    history.pushState(null, "", `/imports/${detail.import.id}`);
    renderImport(detail);
    await loadImportList();
  } catch (problem) {
    if (problem.status !== 401) error.textContent = problem.message;
  } finally {
    button.disabled = false;
  }
}

async function confirmImport() {
  if (!currentImport) return;
  const error = $("confirm-error");
  const button = $("import-confirm");
  const createUnits = $("create-units");
  error.textContent = "";
  button.disabled = true;
  try {
    const answer = await api(`/api/imports/${currentImport.import.id}/confirm`, { method: "POST", body: { createUnits: !!(createUnits && createUnits.checked), undated: $("import-undated").value } });
    // A large plan is confirmed by a background job (202): its progress is shown until it is done.
    renderImport(answer.href && answer.kind === "import-confirm" ? await followConfirm(answer.href, error) : answer);
    await loadImportList();
  } catch (problem) {
    // 422 names the units no department matches; 409 says who confirmed it first.
    if (problem.status !== 401) error.textContent = problem.message;
  } finally {
    button.disabled = false;
  }
}

// Follows the job confirming a large plan, saying how far it has come in `line`; its result, or its reason as a Problem.
async function followConfirm(href, line) {
  const job = await followJob(href, (progress) => {
    line.textContent = progress ? `${t("jobRunning")} ${progress.done} / ${progress.total}` : t("jobQueued");
  });
  line.textContent = "";
  if (job.status === "succeeded") return job.result;
  throw new Problem(422, { detail: job.error || t("jobFailed") });
}

function renderImport(detail) {
  currentImport = detail;
  const { import: summary, report, result } = detail;
  $("import-report").hidden = false;
  $("import-report").dataset.import = String(summary.id);
  $("import-title").textContent = summary.planName;
  $("import-status").textContent = t(`status.${summary.status}`);
  $("import-status").dataset.status = summary.status;
  renderImportFacts(summary, report);
  renderUnknownUnits(report.unknownUnits, summary.status === "previewed");
  renderImportWarnings(report.warnings);
  renderImportRows(report, result ? result.createdUnits : []);
  $("import-confirm-box").hidden = summary.status !== "previewed";
  $("confirm-error").textContent = "";
  renderImportResult(result);
}

function renderImportFacts(summary, report) {
  const facts = clear($("import-facts"));
  const fact = (key, value) => facts.append(el("dt", { text: t(key) }), el("dd", { "data-fact": key, text: value }));
  fact("importFile", report.file);
  fact("importLayout", report.encoding ? t("withNote", layoutWords(report.layout), report.encoding) : layoutWords(report.layout));
  fact("importTitle", report.title || t("none"));
  fact("importYear", String(report.year));
  fact("importUploaded", `${summary.uploadedBy}　${dateTime(summary.uploadedAt)}`);
  if (summary.confirmedAt) fact("importConfirmed", `${summary.confirmedBy}　${dateTime(summary.confirmedAt)}`);
  fact("importItems", String(summary.items));
  fact("importTaskRows", String(summary.taskRows));
  fact("importUnknown", String(summary.unknownUnits));
  fact("importWarnings", String(summary.warnings));
  if (summary.created !== null) fact("importCreated", String(summary.created));
}

function renderUnknownUnits(units, previewed) {
  const box = clear($("import-units"));
  if (units.length === 0) return;
  box.append(el("h3", { text: t("unknownUnits") }));
  if (previewed) box.append(el("p", { class: "muted", text: t("unknownHint") }));
  box.append(el("ul", { class: "units" }, units.map((u) => el("li", { "data-unit": u.name }, el("strong", { text: u.name }), `　${t("atLine", u.firstLine)}`))));
  if (previewed) box.append(el("label", { class: "check" }, el("input", { type: "checkbox", id: "create-units" }), el("span", { text: t("createUnits") })));
}

function renderImportWarnings(warnings) {
  const box = clear($("import-warnings"));
  if (warnings.length === 0) return;
  box.append(el("h3", { text: t("importWarnings") }),
    el("ul", { class: "warnings" }, warnings.map((w) => el("li", {}, el("span", { class: "muted", text: `${t("atLine", w.line)} · ${w.field}` }), `　${w.message}`))));
}

// Task rows grouped under their item: the item's number, title and section span its rows.
function renderImportRows(report, createdUnits) {
  const table = $("import-rows");
  clear(table.tHead).append(el("tr", {}, ...["itemNo", "importItem", "section", "importTask", "leadUnits", "responsibleUnits", "planDeadline"].map((k) => el("th", { text: t(k) }))));
  const body = clear(table.tBodies[0]);
  const unknown = new Set(report.unknownUnits.map((u) => u.name));
  const created = new Set(createdUnits);
  for (const item of report.items) {
    const tasks = item.tasks.length > 0 ? item.tasks : [null];
    tasks.forEach((task, i) => {
      // Whether it waits for its event is the server's to say.
      const awaiting = task !== null && task.deadline.awaitsEvent;
      const tr = el("tr", { "data-plan-item": item.number, "data-line": task ? task.line : item.line, class: awaiting ? "awaiting" : null });
      if (i === 0) {
        const span = String(tasks.length);
        tr.append(el("td", { rowspan: span, text: item.number }), el("td", { rowspan: span, text: item.title }), el("td", { rowspan: span, text: item.section || "—" }));
      }
      if (task === null) tr.append(el("td", { colspan: "4", class: "muted", text: t("noTaskRows") }));
      else tr.append(el("td", { text: task.text }), unitsCell(task.lead, unknown, created), unitsCell(task.responsible, unknown, created), deadlineCell(task.deadline, awaiting));
      body.append(tr);
    });
  }
}

// Units no department matched at upload are said so in words, not only by colour; once confirmed, those it created.
function unitsCell(names, unknown, created) {
  const td = el("td");
  names.forEach((name, i) => {
    if (i > 0) td.append("、");
    if (created.has(name)) td.append(el("span", { class: "created", text: `${name}${t("createdUnit")}` }));
    else if (unknown.has(name)) td.append(el("span", { class: "unknown", text: `${name}${t("unknownUnit")}` }));
    else td.append(el("span", { text: name }));
  });
  if (names.length === 0) td.append("—");
  return td;
}

function deadlineCell(deadline, awaiting) {
  const read = deadline.read.length > 0 ? deadline.read.map(deadlineWords).join("；") : t("notUnderstood");
  return el("td", { class: "deadline" },
    el("span", { class: deadline.read.length > 0 ? "read" : "read warn", text: read }),
    deadline.original ? el("span", { class: "muted", text: `${t("asWritten")}${deadline.original}` }) : null,
    awaiting ? el("span", { class: "awaiting-mark", text: t("awaitingMark") }) : null);
}

function renderImportResult(result) {
  $("import-result").hidden = !result;
  if (!result) return;
  const count = (outcome) => result.tasks.filter((r) => r.outcome === outcome).length;
  const awaiting = count("awaiting-event");
  $("import-result-summary").textContent = t("resultSummary", count("created") + awaiting, awaiting, count("already-imported"), count("not-created"));
  const table = $("import-outcomes");
  clear(table.tHead).append(el("tr", {}, ...["line", "itemNo", "itemTitle", "outcome"].map((k) => el("th", { text: t(k) }))));
  const body = clear(table.tBodies[0]);
  for (const row of result.tasks) {
    const title = row.itemId
      ? pageLink(`/items/${row.itemId}`, { "data-item": row.itemId, text: row.title })
      : el("span", { text: row.title });
    // The server's reason says why a row was not created, or how a row the plan gives no deadline was dated;
    // a task awaiting its event is said in the page's language.
    const reason = row.reason && row.outcome !== "awaiting-event" ? el("div", { class: "muted", text: row.reason }) : null;
    body.append(el("tr", { "data-outcome": row.outcome, "data-line": row.line },
      el("td", { text: String(row.line) }), el("td", { text: row.number }), el("td", {}, title),
      el("td", {}, el("span", { class: `outcome outcome-${row.outcome}`, text: t(`outcome.${row.outcome}`) }), reason)));
  }
  const units = clear($("created-units"));
  if (result.createdUnits.length > 0) {
    units.append(el("h3", { text: t("createdUnits") }), el("ul", { class: "units" }, result.createdUnits.map((name) => el("li", { text: name }))));
  }
}

export async function loadImportList() {
  renderImportList(await api("/api/imports?limit=20"));
}

function renderImportList(imports) {
  const table = $("imports-list");
  const numeric = new Set(["importItems", "importTaskRows", "importUnknown", "importWarnings", "importCreated"]);
  const keys = ["importStatus", "importFile", "importPlanName", "importBy", "importWhen", ...numeric];
  clear(table.tHead).append(el("tr", {}, ...keys.map((k) => el("th", { class: numeric.has(k) ? "num" : null, text: t(k) }))));
  const body = clear(table.tBodies[0]);
  if (imports.length === 0) body.append(el("tr", {}, el("td", { colspan: String(keys.length), class: "muted", text: t("noImports") })));
  const shown = currentImport && !$("import-report").hidden ? currentImport.import.id : null;
  for (const i of imports) {
    const open = pageLink(`/imports/${i.id}`, { text: i.fileName });
    const number = (n) => el("td", { class: "num", text: n === null ? "—" : String(n) });
    body.append(el("tr", { "data-import": i.id, "aria-current": i.id === shown ? "true" : null },
      el("td", {}, el("span", { class: `status status-${i.status}`, text: t(`status.${i.status}`) })),
      el("td", {}, open), el("td", { text: i.planName }), el("td", { text: i.uploadedBy }), el("td", { text: dateTime(i.uploadedAt) }),
      number(i.items), number(i.taskRows), number(i.unknownUnits), number(i.warnings), number(i.created)));
  }
}


/** Wires the upload and the confirmation. */
export function wireImports() {
  $("import-form").addEventListener("submit", (e) => { e.preventDefault(); uploadPlan(e.target).catch(showError); });
  $("import-confirm").addEventListener("click", () => confirmImport().catch(showError));
}
