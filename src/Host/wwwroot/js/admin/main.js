// The administration's page (admin.html, /admin/{section}): for administrators only (others are told so), a section
// per subject, each its own module; this one signs in, routes between them and keeps the language.
import { api, onUnauthorized } from "../core/api.js";
import { $, markCurrent, wireMenu } from "../core/dom.js";
import { applyPageLanguage, lang, setLang } from "../core/text.js";
import { showDisplays } from "../displays.js";
import * as accessLog from "./access-log.js";
import * as calendars from "./calendars.js";
import * as channels from "./channels.js";
import * as definitions from "./definitions.js";
import * as departments from "./departments.js";
import * as health from "./health.js";
import * as people from "./people.js";
import { fail, loadDepartments, say, state, t } from "./shared.js";

// Each section: what shows it, and what wires its forms once.
const sections = {
  departments: { show: departments.showDepartments, wire: departments.wire },
  people: { show: people.showPeople, wire: people.wire },
  channels: { show: channels.showChannels, wire: channels.wire },
  displays: { show: async () => showDisplays($("displays-box"), { departments: await loadDepartments() }) },
  calendars: { show: calendars.showCalendars, wire: calendars.wire },
  definitions: { show: definitions.showDefinitions },
  "access-log": { show: accessLog.showLog, wire: accessLog.wire },
  health: { show: health.showHealth },
};

function section() {
  const match = location.pathname.match(/^\/admin(?:\/([a-z-]+))?\/?$/);
  const name = match && match[1];
  return name in sections ? name : "departments";
}

async function route() {
  const current = section();
  for (const node of document.querySelectorAll(".section")) node.hidden = node.id !== `section-${current}`;
  for (const link of document.querySelectorAll("#admin-nav a")) markCurrent(link, link.dataset.section === current);
  $("failure").hidden = true;
  await sections[current].show();
}

async function start() {
  applyPageLanguage(t);
  $("lang").addEventListener("click", () => {
    setLang(lang === "zh" ? "en" : "zh");
    applyPageLanguage(t);
    route().catch(fail);
  });
  wireMenu();
  $("signout").addEventListener("click", async () => {
    await api("/api/session", { method: "DELETE" }).catch(() => {});
    location.assign("/");
  });
  let user;
  try {
    user = await api("/api/session");
  } catch {
    return;
  }
  state.user = user;
  $("who").textContent = `${user.displayName}（${user.department.name}）`;
  if (user.mustChangePassword) {
    location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    return;
  }
  if (user.role !== "admin") {
    $("refused").hidden = false;
    return;
  }
  $("admin-nav").hidden = false;
  for (const link of document.querySelectorAll("#admin-nav a")) {
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      history.pushState(null, "", link.getAttribute("href"));
      say("");
      route().catch(fail);
    });
  }
  window.addEventListener("popstate", () => route().catch(fail));
  for (const s of Object.values(sections)) if (s.wire) s.wire();
  await route();
}

// Signed out (or never signed in): sign in on the board's page and come back here.
onUnauthorized(async () => {
  location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
  return false;
});
start().catch(fail);
