// Health (/admin/health): the database and its schema, the jobs and their schedules, the history's last verification
// and digest (verified again on request), and notices waiting or failed.
import { api, followJob } from "../core/api.js";
import { $, clear, el } from "../core/dom.js";
import { act, t, when } from "./shared.js";

export async function showHealth() {
  const h = await api("/api/admin/health");
  const box = clear($("health"));
  const good = h.status === "Healthy";
  const facts = (pairs) => el("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { text: String(v) })]));
  const data = h.database.data || {};
  const verification = h.history.lastVerification;
  const digest = h.history.lastDigest;
  const verify = el("button", { type: "button", id: "verify-history", class: "secondary", text: t("verifyNow") });
  const verifyStatus = el("span", { class: "muted", role: "status" });
  verify.addEventListener("click", async () => {
    verify.disabled = true;
    verifyStatus.textContent = t("verifying");
    const job = await act(() => api("/api/history/verify", { method: "POST" }));
    if (job) await followJob(job.href, () => {});
    await showHealth();
  });
  box.append(
    el("div", { class: `card health-status ${good ? "ok" : "bad"}`, id: "health-status" },
      el("h2", { text: `${t("healthStatus")}：${t(good ? "healthy" : "unhealthy")}` }),
      el("p", { class: "muted", text: good ? t("dbHealthy") : h.database.description || "" })),
    el("div", { class: "health-grid" },
      el("div", { class: "card" }, el("h2", { text: t("database") }),
        facts([["provider", data.provider], ["schema", `${data.schemaVersion ?? "?"} / ${data.latestSchemaVersion}`], ["pendingMigrations", (data.pending || []).join("、") || t("none")], ["timeZone", data.timeZone]])),
      el("div", { class: "card" }, el("h2", { text: t("jobsTitle") }),
        facts([["servers", h.jobs.servers], ["enqueued", h.jobs.enqueued], ["processing", h.jobs.processing], ["scheduled", h.jobs.scheduled], ["failedJobs", h.jobs.failed]]),
        el("a", { href: "/jobs", text: t("openDashboard") })),
      el("div", { class: "card", id: "health-history" }, el("h2", { text: t("historyTitle") }),
        el("p", {}, el("strong", { text: `${t("lastVerification")}：` }),
          verification ? el("span", { class: verification.intact ? "ok" : "error", text: t("verificationText", when(verification.at), verification.requestedBy, t(verification.intact ? "intact" : "broken"), verification.items, verification.entries) }) : t("notYet")),
        verification && !verification.intact ? el("pre", { class: "problems", text: verification.problems }) : null,
        el("p", {}, el("strong", { text: `${t("lastDigest")}：` }), digest ? t("digestText", when(digest.takenAt), digest.items, digest.entries, digest.digest.slice(0, 16) + "…") : t("notYet")),
        verify, " ", verifyStatus)),
    el("div", { class: "card" }, el("h2", { text: t("recurringJobs") }),
      el("table", { class: "admin-table", id: "recurring" },
        el("thead", {}, el("tr", {}, ...["name", "cron", "lastRun", "lastState", "nextRun"].map((k) => el("th", { text: t(k) })))),
        el("tbody", {}, h.jobs.recurring.map((r) => el("tr", { "data-job": r.id, class: r.id === "overdue-run" ? "nightly" : null },
          el("td", { text: t(`job.${r.id}`) }), el("td", {}, el("code", { text: r.cron })), el("td", { text: r.lastRun ? when(r.lastRun) : t("notYet") }),
          el("td", { text: r.lastState ? t(`state.${r.lastState}`) : r.error || "" }), el("td", { text: r.nextRun ? when(r.nextRun) : "" })))))),
    el("div", { class: "card", id: "health-notices" }, el("h2", { text: t("noticesTitle") }),
      facts([["pendingNotices", h.notices.pending], ["failedNotices", h.notices.failed]]),
      h.notices.latestFailed.length ? el("table", { class: "admin-table" },
        el("thead", {}, el("tr", {}, ...["channelCol", "address", "subject", "attempts", "lastRun", "error"].map((k) => el("th", { text: t(k) })))),
        el("tbody", {}, h.notices.latestFailed.map((n) => el("tr", {}, el("td", { text: n.channel }), el("td", { class: "address", text: n.address }), el("td", { text: n.subject }),
          el("td", { class: "num", text: String(n.attempts) }), el("td", { text: n.lastAttemptAt ? when(n.lastAttemptAt) : "" }), el("td", { text: n.error || "" }))))) : null));
}

