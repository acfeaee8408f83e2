// The board's page (index.html): signing in (and the first run's setup, and choosing one's own password), the
// addresses it shows (/my, /board, /items/{id}, /imports, /reports, /displays), the live connection that redraws the
// view shown when something changes, and the language. Each view is its own module; this one routes between them.
import { api, onUnauthorized } from "../core/api.js";
import { $, markCurrent, wireMenu } from "../core/dom.js";
import { applyPageLanguage, lang, setLang } from "../core/text.js";
import { showDisplays } from "../displays.js";
import { fillStepFilter, refreshBoard, renderBoard, renderForecast, wireBoard } from "./board.js";
import { loadImportList, showImports, wireImports } from "./imports.js";
import { showItem } from "./item.js";
import { showMyWork } from "./my.js";
import { refreshReports, renderCirculations, renderReports, showReports, wireReports } from "./reports.js";
import { followWithin, freshReports, isSupervisor, setRouter, showError, state, t } from "./shared.js";

const views = ["board-view", "my-view", "item-view", "imports-view", "reports-view", "displays-view"];

// --- language -------------------------------------------------------------------------------------------------------

function applyLanguage() {
  applyPageLanguage(t);
  setLive(state.events && state.events.readyState === EventSource.OPEN);
  fillStepFilter();
}

// --- session --------------------------------------------------------------------------------------------------------

function showSignIn() {
  state.user = null;
  state.reports = freshReports();
  if (state.events) { state.events.close(); state.events = null; }
  $("signin").hidden = false;
  $("password-view").hidden = true;
  for (const view of views) $(view).hidden = true;
  for (const link of document.querySelectorAll("#bar-menu a")) link.hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  setLive(false);
  // Nobody signed in, no live board: no connection state to show.
  $("live").hidden = true;
  // A fresh install nobody can sign in to yet: the first administrator is made here, with the server's setup code.
  fetch("/api/setup", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { needed: false }))
    .then((setup) => {
      if (!setup.needed || state.user) return;
      $("signin").hidden = true;
      $("setup-view").hidden = false;
    })
    .catch(() => {});
}

async function start() {
  try {
    state.user = await api("/api/session");
  } catch {
    showSignIn();
    return;
  }
  $("signin").hidden = true;
  $("setup-view").hidden = true;
  $("signout").hidden = false;
  $("who").textContent = `${state.user.displayName}（${state.user.department.name}）`;
  // A password an administrator set: the person chooses their own before anything else (the API refuses the rest).
  $("password-view").hidden = !state.user.mustChangePassword;
  // No live board behind the form: its connection state would only confuse.
  $("live").hidden = !!state.user.mustChangePassword;
  if (state.user.mustChangePassword) {
    for (const view of views) $(view).hidden = true;
    return;
  }
  const role = state.user.role;
  $("nav-imports").hidden = !isSupervisor();
  $("nav-reports").hidden = false;
  $("nav-my").hidden = false;
  $("nav-board").hidden = false;
  // The wall's display links are made by supervisors (within their departments) and administrators; the jobs
  // dashboard (a server page) is theirs too.
  $("nav-displays").hidden = !["admin", "supervisor"].includes(role);
  $("nav-jobs").hidden = !["admin", "supervisor"].includes(role);
  $("nav-admin").hidden = role !== "admin";
  // Sent here to sign in from another page (the jobs dashboard, the administration): back there once signed in.
  const next = new URLSearchParams(location.search).get("next");
  if (next && /^\/(jobs|admin|wall)(\/|$|\?)/.test(next)) {
    location.assign(next);
    return;
  }
  [state.definitions, state.departments] = await Promise.all([api("/api/definitions"), api("/api/departments")]);
  fillStepFilter();
  connectEvents();
  await route();
}

// --- routing --------------------------------------------------------------------------------------------------------

async function route() {
  // Signed out (the browser's back button on the sign-in form): nothing to show but the form.
  if (!state.user) return;
  const path = location.pathname;
  // Only supervisors import plans, and supervisors and administrators make display links (the API refuses anyone
  // else): others asking for those pages get the board.
  const displaysAllowed = ["admin", "supervisor"].includes(state.user.role);
  if ((path.startsWith("/imports") && !isSupervisor()) || (path === "/displays" && !displaysAllowed)) history.replaceState(null, "", "/board");
  // Handlers and leads land on their own work; everyone finds the board at /board.
  if (location.pathname === "/" && ["handler", "lead"].includes(state.user.role)) history.replaceState(null, "", "/my");
  const at = location.pathname;
  const item = at.match(/^\/items\/(\d+)$/);
  const imports = at.match(/^\/imports(?:\/(\d+))?$/);
  const reports = at === "/reports";
  const my = at === "/my";
  const displays = at === "/displays";
  const board = !(item || imports || reports || my || displays);
  $("board-view").hidden = !board;
  $("my-view").hidden = !my;
  $("item-view").hidden = !item;
  $("imports-view").hidden = !imports;
  $("reports-view").hidden = !reports;
  $("displays-view").hidden = !displays;
  markCurrent($("nav-imports"), !!imports);
  markCurrent($("nav-reports"), reports);
  markCurrent($("nav-my"), my);
  markCurrent($("nav-displays"), displays);
  markCurrent($("nav-board"), board);
  if (item) await showItem(Number(item[1]));
  else if (my) await showMyWork();
  else if (imports) await showImports(imports[1] ? Number(imports[1]) : null);
  else if (reports) await showReports();
  else if (displays) await showDisplays($("displays-box"), { departments: state.departments, within: state.user.role === "admin" ? null : state.user.department.id });
  else await refreshBoard();
}

// --- live updates ---------------------------------------------------------------------------------------------------

let refreshTimer = null;
function connectEvents() {
  if (state.events) state.events.close();
  const source = new EventSource("/api/events");
  source.onopen = () => setLive(true);
  source.onerror = () => setLive(false);
  source.addEventListener("changed", () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refreshView().catch(() => {}), 200);
  });
  state.events = source;
}

// On the import page a change elsewhere redraws only the recent imports: the report being read, its checkbox and
// its error message stay as they are. On the reports page it reloads the figures and circulations of the period
// shown, leaving the period being typed, the folding, the opened score and the tab as they are. The display links
// are left as they are (the address shown once must stay).
function refreshView() {
  if (!$("imports-view").hidden) return loadImportList();
  if (!$("reports-view").hidden) return refreshReports();
  if (!$("displays-view").hidden) return Promise.resolve();
  return route();
}

function setLive(on) {
  const live = $("live");
  live.dataset.state = on ? "on" : "off";
  live.textContent = on ? t("liveOn") : t("liveOff");
}

// --- wiring (module scripts run once the page is parsed) ------------------------------------------------------------

onUnauthorized(async () => {
  showSignIn();
  return false;
});
setRouter(route);
applyLanguage();
$("lang").addEventListener("click", () => {
  setLang(lang === "zh" ? "en" : "zh");
  applyLanguage();
  // Redraw what is on screen in the new language at once, then reload it.
  if (state.user && state.board && !$("board-view").hidden) { renderBoard(); renderForecast(); }
  if (state.user && state.reports.data && !$("reports-view").hidden) { renderReports(); renderCirculations(); }
  if (state.user) route().catch(showError);
});
$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  try {
    await api("/api/session", { method: "POST", body: { login: data.get("login"), password: data.get("password") } });
    $("signin-error").textContent = "";
    await start();
  } catch (problem) {
    // Held back after failed sign-ins: the server's words say how long; anything else reads the same.
    $("signin-error").textContent = problem.status === 429 ? problem.message : t("signInFailed");
  }
});
$("setup-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = Object.fromEntries(new FormData(e.target).entries());
  try {
    await api("/api/setup", { method: "POST", body: data });
    // Set up and signed in: on to the administration, to add the departments and people.
    location.assign("/admin/departments");
  } catch (problem) {
    $("setup-error").textContent = problem.status === 403 ? t("setupWrongCode") : problem.status === 409 ? t("setupDone") : problem.message;
  }
});
$("password-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  try {
    await api("/api/session/password", { method: "PUT", body: { current: data.get("current"), new: data.get("new") } });
    $("password-error").textContent = "";
    e.target.reset();
    await start();
  } catch (problem) {
    $("password-error").textContent = problem.message;
  }
});
$("signout").addEventListener("click", async () => {
  await api("/api/session", { method: "DELETE" }).catch(() => {});
  showSignIn();
});
wireMenu();
wireBoard();
wireImports();
wireReports();
// The page's own addresses are followed without reloading it.
for (const link of [$("home"), $("back"), ...document.querySelectorAll("#imports-view a.back, #reports-view a.back, #displays-view a.back")]) followWithin(link, "/");
for (const [id, path] of [["nav-my", "/my"], ["nav-board", "/board"], ["nav-reports", "/reports"], ["nav-imports", "/imports"], ["nav-displays", "/displays"]]) followWithin($(id), path);
window.addEventListener("popstate", () => route().catch(showError));
start().catch(showError);
