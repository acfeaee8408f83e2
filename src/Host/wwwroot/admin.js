// The administration pages: plain JavaScript over the /api/admin routes, no build step, no external requests.
// Everything that comes from data is put into the page with textContent, never as HTML.
"use strict";

(() => {
  const texts = {
    zh: {
      title: "系统管理", menu: "☰ 菜单", board: "亮灯看板", jobs: "后台任务", signOut: "退出",
      "nav.departments": "部门", "nav.people": "人员与令牌", "nav.channels": "通知渠道", "nav.calendars": "节假日安排",
      "nav.displays": "大屏链接", displaysHint: "会议室大屏用显示链接打开亮灯大屏（/wall）：只读、限于所选部门及其下级，不需要任何人的密码，可随时吊销。", addDisplay: "新建显示链接", displayName: "用途（如：会议室大屏）",
      displayOnce: "请在大屏的浏览器中打开下面的地址（只显示这一次）：", displayRevoked: "已吊销“{0}”，大屏将立即退出。", confirmRevokeDisplay: "确定吊销“{0}”吗？使用它的大屏将立即退出。", open: "打开",
      "nav.definitions": "业务流程", "nav.accessLog": "访问日志", "nav.health": "运行状况",
      refusedTitle: "没有管理权限", refusedText: "管理页面仅供系统管理员使用。如需调整部门、人员或渠道，请联系本单位的系统管理员。", backToBoard: "返回亮灯看板",
      departmentsHint: "点击名称旁的按钮即可就地修改；移动时不能移到自己或自己的下级之下。",
      addDepartment: "添加部门", name: "名称", parent: "上级部门", aliasesHint: "其他名称（简称，用逗号分隔）", add: "添加", top: "（无，作为顶级部门）",
      groups: "所属分组（如：各区县（市）政府，用逗号分隔）", inGroups: "分组：{0}", rename: "改名", addChild: "添加下级", move: "移动", remove: "删除", save: "保存", cancel: "取消", aliases: "又称：{0}",
      confirmRemoveDepartment: "确定删除“{0}”吗？", departmentAdded: "已添加部门“{0}”。", departmentSaved: "已保存“{0}”。", departmentRemoved: "已删除“{0}”。",
      moveUnder: "移到……之下", childName: "下级部门名称",
      search: "搜索（用户名、姓名、邮箱）", role: "角色", department: "部门", state: "状态", all: "全部", enabled: "启用", disabled: "停用", apply: "筛选",
      login: "用户名", displayName: "姓名", email: "邮箱", tokens: "令牌", actions: "操作", peopleCount: "共 {0} 人",
      "role.handler": "承办人", "role.lead": "部门负责人", "role.supervisor": "督办人员", "role.admin": "系统管理员",
      mustChange: "待改密码", locked: "登录受限至 {0}", unlock: "解除限制", edit: "编辑", signOutPerson: "强制下线",
      addPerson: "添加人员", initialPassword: "初始密码（至少10位，首次登录须修改）", emailOptional: "邮箱（可选）",
      personAdded: "已添加“{0}”。请把初始密码告诉本人，首次登录时须设置自己的密码。", personSaved: "已保存“{0}”。", signedOut: "“{0}”的所有登录会话已结束。",
      editPerson: "编辑：{0}", newPassword: "重设密码（留空则不变；重设后须本人修改）", disableAccount: "停用账号（立即退出所有会话，不能登录、不收通知）",
      unlocked: "已解除“{0}”的登录限制。",
      tokensOf: "{0} 的 API 令牌", tokenName: "用途（如：政务服务网对接）", createToken: "创建令牌", revoke: "吊销", revoked: "已吊销 {0}",
      created: "创建时间", lastUsed: "最近使用", never: "从未", noTokens: "没有令牌。", tokenOnce: "请立即复制保存：此令牌只显示这一次，系统只保存其摘要。",
      copy: "复制", copied: "已复制", confirmRevoke: "确定吊销令牌“{0}”吗？使用它的程序将无法再访问。", close: "关闭",
      channelsHint: "催办、督办通知除发到个人收件箱外，也发到部门的群机器人或系统接口。",
      channelKind: "类型", address: "地址", signed: "签名", lastDelivery: "最近送达", lastFailure: "最近失败", addChannel: "添加渠道", secretOptional: "签名密钥（可选）",
      "channel.webhook": "系统接口（Webhook）", "channel.wecom": "企业微信群机器人", "channel.dingtalk": "钉钉群机器人",
      yes: "有", no: "无", test: "发送测试", testing: "正在发送……", testOk: "测试消息已送达：{0}", testFailed: "测试消息未送达：{0}",
      channelAdded: "已添加渠道。", channelSaved: "已保存渠道。", channelRemoved: "已删除渠道。", confirmRemoveChannel: "确定删除这个渠道吗？已生成的通知仍会送达。",
      newSecret: "新的签名密钥（留空则不变）", removeSecret: "去掉签名密钥",
      calendarYears: "各年度日历", pasteNotice: "载入国务院办公厅放假安排通知", pasteHint: "把通知全文粘贴到下面（从政府网站复制即可），先预览识别结果和受影响的事项，确认无误后再应用。",
      year: "年度", noticeText: "通知全文", previewNotice: "预览", calendarChanges: "日历变更记录",
      "source.shipped": "随产品提供", "source.stored": "管理员载入", "source.provisional": "暂定（未载入通知）",
      storedBy: "{0} 于 {1} 载入", workingDaysIn: "全年 {0} 个工作日", daysOffMakeUp: "放假 {0} 天，调休上班 {1} 天",
      gridTitle: "{0} 年", gridTitlePreview: "{0} 年（按通知预览）", legendGrid: "■ 放假　□ 调休上班　周末为浅色；带边框的日期为本次变更的日期",
      weekdays: "一二三四五六日", month: "{0}月",
      previewTitle: "识别结果：{0}", holidaysList: "放假日期（{0} 天）", workdaysList: "调休上班（{0} 天）", sectionsList: "各节日安排",
      changedDates: "与现行日历相比有 {0} 个日期不同。", noChange: "与现行日历相同，应用后不会改变任何期限。",
      moves: "在办事项 {0} 件在变更范围内，其中 {1} 件的截止日将改变：", noMoves: "没有在办事项的截止日会改变。",
      previewing: "正在预览：在办事项较多，由后台任务逐件推算……", previewProgress: "已推算 {0} / {1} 件", item: "事项", dueNow: "现截止日", dueAfter: "应用后截止日", applyNotice: "确认应用", applying: "正在保存并重新计算……",
      progress: "重新计算在办事项：{0} / {1}", queued: "已排队，稍候开始……", appliedResult: "已载入 {0} 年安排（日历版本 {1}）：重新计算 {2} 件事项，截止日改变 {3} 件，灯色改变 {4} 件。",
      appliedNoJob: "已载入 {0} 年安排（日历版本 {1}），没有需要重新计算的事项。", jobFailed: "后台任务失败：{0}",
      version: "版本", changedBy: "变更人", changedAt: "时间", dates: "变更日期数", recomputed: "重新计算", pending: "进行中", done: "已完成",
      itemsMoved: "{0} 件（截止日变 {1}，灯色变 {2}）", inForceProvisional: "现行：暂定", inForceNotice: "现行：已载入通知",
      definitionsHint: "每个流程的环节、办理结果和去向、环节期限和办理角色。",
      steps: "环节", who: "办理角色", limit: "环节期限", outcomes: "办理结果 → 下一环节", terminal: "（结束）", definitionVersion: "第 {0} 版",
      user: "用户", route: "地址（开头部分，如 /api/admin/users）", statusCode: "状态码（如 403 或 4xx）", from: "起始日期", to: "截止日期",
      when: "时间", request: "请求", whatChanged: "内容", more: "更多", noEntries: "没有符合条件的记录。", refusedBecause: "拒绝：{0}",
      healthStatus: "总体状况", healthy: "正常", unhealthy: "异常", database: "数据库", provider: "数据库类型", schema: "结构版本", pendingMigrations: "待执行的迁移",
      timeZone: "时区", jobsTitle: "后台任务", servers: "运行中的服务实例", enqueued: "排队", processing: "执行中", scheduled: "计划中", failedJobs: "失败",
      openDashboard: "打开后台任务面板", recurringJobs: "定时任务", cron: "计划", lastRun: "上次运行", lastState: "结果", nextRun: "下次运行",
      "job.overdue-run": "夜间催办督办通知", "job.monthly-circulation": "月度通报", "job.light-daily": "每日灯色统计", "job.history-digest": "办理记录封存",
      nightly: "夜间催办", noticesTitle: "通知发送", pendingNotices: "待发送", failedNotices: "发送失败（已放弃）", channelCol: "渠道", subject: "标题", attempts: "尝试次数", error: "错误",
      historyTitle: "办理记录防篡改", lastVerification: "最近一次校验", lastDigest: "最近一次封存", verifyNow: "立即校验", verifying: "正在校验……",
      intact: "完好", broken: "发现问题", verificationText: "{0} 由 {1} 校验：{2}，{3} 件事项、{4} 条记录", digestText: "{0} 封存：{1} 件事项、{2} 条记录，摘要 {3}",
      none: "无", notYet: "尚无", dbHealthy: "数据库可以连接，结构为最新版本。",
      "state.Succeeded": "成功", "state.Failed": "失败", "state.Processing": "执行中", "state.Enqueued": "排队", "state.Scheduled": "计划中", "state.Deleted": "已删除",
    },
    en: {
      title: "Administration", menu: "☰ Menu", board: "Light board", jobs: "Jobs", signOut: "Sign out",
      "nav.departments": "Departments", "nav.people": "People and tokens", "nav.channels": "Notice channels", "nav.calendars": "Holiday calendar",
      "nav.displays": "Display links", displaysHint: "A meeting room's screen opens the wall (/wall) with a display link: read-only, limited to a department and those below it, no one's password, revocable at any time.", addDisplay: "New display link", displayName: "What it is for (e.g. the meeting room's screen)",
      displayOnce: "Open this address in the screen's browser (shown only once):", displayRevoked: "Revoked \"{0}\"; its screen is signed out at once.", confirmRevokeDisplay: "Revoke \"{0}\"? Its screen is signed out at once.", open: "Open",
      "nav.definitions": "Workflows", "nav.accessLog": "Access log", "nav.health": "Health",
      refusedTitle: "Administrators only", refusedText: "These pages are for the office's administrators. Ask yours to change departments, people or channels.", backToBoard: "Back to the board",
      departmentsHint: "Change a department in place with the buttons beside its name; it can never be moved under itself.",
      addDepartment: "Add a department", name: "Name", parent: "Parent", aliasesHint: "Other names (short forms, comma separated)", add: "Add", top: "(none: a top-level department)",
      groups: "Groups (e.g. 各区县（市）政府; comma separated)", inGroups: "groups: {0}", rename: "Rename", addChild: "Add below", move: "Move", remove: "Delete", save: "Save", cancel: "Cancel", aliases: "also: {0}",
      confirmRemoveDepartment: "Delete \"{0}\"?", departmentAdded: "Added \"{0}\".", departmentSaved: "Saved \"{0}\".", departmentRemoved: "Deleted \"{0}\".",
      moveUnder: "Move under…", childName: "Name of the department below",
      search: "Search (login, name, e-mail)", role: "Role", department: "Department", state: "State", all: "All", enabled: "Enabled", disabled: "Disabled", apply: "Apply",
      login: "Login", displayName: "Name", email: "E-mail", tokens: "Tokens", actions: "Actions", peopleCount: "{0} people",
      "role.handler": "Handler", "role.lead": "Department lead", "role.supervisor": "Supervisor", "role.admin": "Administrator",
      mustChange: "must change password", locked: "sign-in held until {0}", unlock: "Lift", edit: "Edit", signOutPerson: "Sign out",
      addPerson: "Add a person", initialPassword: "First password (10+ characters; they choose their own at first sign-in)", emailOptional: "E-mail (optional)",
      personAdded: "Added \"{0}\". Give them the first password; they choose their own at the first sign-in.", personSaved: "Saved \"{0}\".", signedOut: "Every session of \"{0}\" has ended.",
      editPerson: "Edit: {0}", newPassword: "New password (empty: unchanged; they must change it)", disableAccount: "Disabled (sessions end at once; no sign-in, no notices)",
      unlocked: "Lifted the sign-in hold on \"{0}\".",
      tokensOf: "API tokens of {0}", tokenName: "What it is for (e.g. the portal's integration)", createToken: "Create token", revoke: "Revoke", revoked: "revoked {0}",
      created: "Created", lastUsed: "Last used", never: "never", noTokens: "No tokens.", tokenOnce: "Copy it now: this token is shown only once; only its hash is kept.",
      copy: "Copy", copied: "Copied", confirmRevoke: "Revoke the token \"{0}\"? Programs using it will be refused.", close: "Close",
      channelsHint: "Overdue notices also go to departments' group robots or systems, besides people's inboxes.",
      channelKind: "Kind", address: "Address", signed: "Signed", lastDelivery: "Last delivery", lastFailure: "Last failure", addChannel: "Add a channel", secretOptional: "Signing secret (optional)",
      "channel.webhook": "Webhook", "channel.wecom": "WeCom group robot", "channel.dingtalk": "DingTalk group robot",
      yes: "yes", no: "no", test: "Send a test", testing: "Sending…", testOk: "The test arrived: {0}", testFailed: "The test did not arrive: {0}",
      channelAdded: "Channel added.", channelSaved: "Channel saved.", channelRemoved: "Channel removed.", confirmRemoveChannel: "Remove this channel? Notices already written are still delivered.",
      newSecret: "New signing secret (empty: unchanged)", removeSecret: "Remove the signing secret",
      calendarYears: "Calendar years", pasteNotice: "Load the State Council's holiday notice", pasteHint: "Paste the whole notice below (copied from the government's site), preview what was read and which items it moves, then apply.",
      year: "Year", noticeText: "The notice", previewNotice: "Preview", calendarChanges: "Calendar changes",
      "source.shipped": "shipped", "source.stored": "loaded", "source.provisional": "provisional (no notice yet)",
      storedBy: "by {0} at {1}", workingDaysIn: "{0} working days", daysOffMakeUp: "{0} days off, {1} make-up working days",
      gridTitle: "{0}", gridTitlePreview: "{0} as the notice says", legendGrid: "■ day off  □ make-up working day  weekends are light; outlined days change",
      weekdays: "MTWTFSS", month: "{0}",
      previewTitle: "Read: {0}", holidaysList: "Days off ({0})", workdaysList: "Make-up working days ({0})", sectionsList: "By holiday",
      changedDates: "{0} dates differ from the calendar in force.", noChange: "The same as the calendar in force: no deadline will change.",
      moves: "{0} open items lie in the changed window; the due day of {1} of them moves:", noMoves: "No open item's due day moves.",
      previewing: "Previewing: many open items, reckoned one by one by a background job…", previewProgress: "{0} / {1} items reckoned", item: "Item", dueNow: "Due now", dueAfter: "Due after", applyNotice: "Apply", applying: "Storing and recomputing…",
      progress: "Recomputing open items: {0} / {1}", queued: "Queued, starting shortly…", appliedResult: "Loaded {0} (calendar version {1}): {2} items recomputed, {3} due days and {4} lights changed.",
      appliedNoJob: "Loaded {0} (calendar version {1}); no item needed recomputing.", jobFailed: "The background job failed: {0}",
      version: "Version", changedBy: "By", changedAt: "At", dates: "Dates changed", recomputed: "Recomputation", pending: "running", done: "done",
      itemsMoved: "{0} items ({1} due days, {2} lights)", inForceProvisional: "in force: provisional", inForceNotice: "in force: a notice",
      definitionsHint: "Each workflow's steps, outcomes and where they lead, step limits and who acts.",
      steps: "Steps", who: "Who acts", limit: "Step limit", outcomes: "Outcomes → next step", terminal: " (end)", definitionVersion: "version {0}",
      user: "User", route: "Path (its beginning, e.g. /api/admin/users)", statusCode: "Status (403 or 4xx)", from: "From", to: "To",
      when: "When", request: "Request", whatChanged: "What", more: "More", noEntries: "No entries match.", refusedBecause: "refused: {0}",
      healthStatus: "Overall", healthy: "healthy", unhealthy: "unhealthy", database: "Database", provider: "Provider", schema: "Schema version", pendingMigrations: "Pending migrations",
      timeZone: "Time zone", jobsTitle: "Background jobs", servers: "Servers", enqueued: "Queued", processing: "Running", scheduled: "Scheduled", failedJobs: "Failed",
      openDashboard: "Open the jobs dashboard", recurringJobs: "Recurring jobs", cron: "Schedule", lastRun: "Last run", lastState: "Outcome", nextRun: "Next run",
      "job.overdue-run": "Nightly overdue notices", "job.monthly-circulation": "Monthly circulation", "job.light-daily": "Daily light counts", "job.history-digest": "History seal",
      nightly: "Nightly run", noticesTitle: "Notices", pendingNotices: "Waiting", failedNotices: "Given up", channelCol: "Channel", subject: "Subject", attempts: "Attempts", error: "Error",
      historyTitle: "Tamper-evident history", lastVerification: "Last verification", lastDigest: "Last seal", verifyNow: "Verify now", verifying: "Verifying…",
      intact: "intact", broken: "problems found", verificationText: "{0}, by {1}: {2}, {3} items, {4} entries", digestText: "{0}: {1} items, {2} entries, digest {3}",
      none: "none", notYet: "not yet", dbHealthy: "The database answers and its schema is current.",
      "state.Succeeded": "succeeded", "state.Failed": "failed", "state.Processing": "running", "state.Enqueued": "queued", "state.Scheduled": "scheduled", "state.Deleted": "deleted",
    },
  };

  const roles = ["handler", "lead", "supervisor", "admin"];
  const channelKinds = ["wecom", "dingtalk", "webhook"];
  const state = { lang: localStorage.getItem("supervision.lang") || "zh", user: null, departments: [], people: [], definitions: null, logNext: null, calendars: null, gridYear: null };

  const $ = (id) => document.getElementById(id);
  const t = (key, ...args) => {
    const text = (texts[state.lang] && texts[state.lang][key]) || texts.zh[key] || key;
    return args.reduce((s, a, i) => s.replace(`{${i}}`, String(a)), text);
  };
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  const button = (key, onclick, cls = "secondary small") => el("button", { type: "button", class: cls, text: t(key), onclick });
  const when = (at) => (at ? new Date(at).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : t("never"));
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

  class Problem extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    const text = typeof options.body === "string";
    const response = await fetch(path, {
      credentials: "same-origin",
      ...options,
      headers: options.body !== undefined ? { "Content-Type": text ? "text/plain; charset=utf-8" : "application/json", Accept: "application/json" } : { Accept: "application/json" },
      body: options.body === undefined ? undefined : text ? options.body : JSON.stringify(options.body),
    });
    if (response.status === 401 && path !== "/api/session") {
      location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
      throw new Problem(401, null);
    }
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json() : null;
    if (!response.ok) throw new Problem(response.status, body);
    return body;
  }

  function say(message) {
    $("failure").hidden = true;
    $("status").textContent = message;
    $("status").hidden = !message;
  }

  function fail(error) {
    $("status").hidden = true;
    $("failure").textContent = error instanceof Error ? error.message : String(error);
    $("failure").hidden = false;
    window.scrollTo({ top: 0 });
  }

  // Runs an action, saying what it did or what went wrong; the refusal's words are the server's.
  async function act(work, done) {
    try {
      const result = await work();
      if (done) say(typeof done === "function" ? done(result) : done);
      return result;
    } catch (e) {
      if (e.status !== 401) fail(e);
      return undefined;
    }
  }

  // --- language and frame ---------------------------------------------------------------------------------------

  function applyLanguage() {
    document.cookie = `supervision.lang=${state.lang}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("lang").textContent = state.lang === "zh" ? "English" : "中文";
  }

  async function start() {
    applyLanguage();
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem("supervision.lang", state.lang);
      applyLanguage();
      route().catch(fail);
    });
    wireMenu();
    $("signout").addEventListener("click", async () => {
      await fetch("/api/session", { method: "DELETE", credentials: "same-origin" });
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
    wireForms();
    await route();
  }

  function section() {
    const match = location.pathname.match(/^\/admin(?:\/([a-z-]+))?\/?$/);
    const name = match && match[1];
    return ["departments", "people", "channels", "displays", "calendars", "definitions", "access-log", "health"].includes(name) ? name : "departments";
  }

  async function route() {
    const current = section();
    for (const node of document.querySelectorAll(".section")) node.hidden = node.id !== `section-${current}`;
    for (const link of document.querySelectorAll("#admin-nav a")) {
      if (link.dataset.section === current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    $("failure").hidden = true;
    const show = { departments: showDepartments, people: showPeople, channels: showChannels, displays: showDisplays, calendars: showCalendars, definitions: showDefinitions, "access-log": showLog, health: showHealth }[current];
    await show();
  }

  async function loadDepartments() {
    state.departments = await api("/api/admin/departments");
    return state.departments;
  }

  // Departments in tree order with their depth (a department whose parent is missing counts as top-level).
  function treeOrder(departments) {
    const ids = new Set(departments.map((d) => d.id));
    const children = new Map();
    for (const d of departments) {
      const parent = d.parentId !== null && ids.has(d.parentId) ? d.parentId : null;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(d);
    }
    const ordered = [];
    const walk = (parent, depth) => {
      for (const d of (children.get(parent) || []).sort((a, b) => a.name.localeCompare(b.name, "zh-CN"))) {
        ordered.push({ department: d, depth });
        walk(d.id, depth + 1);
      }
    };
    walk(null, 0);
    return { ordered, children };
  }

  function departmentOptions(select, { blank, exclude = new Set(), selected } = {}) {
    clear(select);
    if (blank) select.append(el("option", { value: "", text: blank }));
    for (const { department, depth } of treeOrder(state.departments).ordered) {
      if (exclude.has(department.id)) continue;
      select.append(el("option", { value: String(department.id), text: `${"　".repeat(depth)}${department.name}`, selected: department.id === selected }));
    }
  }

  // On a phone the header's links fold behind a menu button; choosing one closes it again.
  function wireMenu() {
    const bar = document.querySelector("header.bar");
    const toggle = $("menu");
    const close = () => { bar.classList.remove("open"); toggle.setAttribute("aria-expanded", "false"); };
    toggle.addEventListener("click", () => {
      const open = !bar.classList.contains("open");
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    for (const node of document.querySelectorAll("#bar-menu a, #bar-menu button")) node.addEventListener("click", close);
  }

  // --- departments ----------------------------------------------------------------------------------------------

  async function showDepartments() {
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

  // --- people and tokens ----------------------------------------------------------------------------------------

  async function showPeople() {
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

  // --- channels -------------------------------------------------------------------------------------------------

  async function showChannels() {
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

  // --- display links --------------------------------------------------------------------------------------------

  async function showDisplays() {
    await loadDepartments();
    departmentOptions($("display-add").elements.department, {});
    await loadDisplays();
  }

  async function loadDisplays() {
    const links = await api("/api/display-links");
    const body = clear($("displays").tBodies[0]);
    for (const l of links) {
      body.append(el("tr", { "data-display": String(l.id), class: l.revokedAt ? "off" : null },
        el("td", { text: l.name }), el("td", { text: l.department.name }), el("td", { text: when(l.createdAt) }), el("td", { text: when(l.lastUsedAt) }),
        el("td", {}, l.revokedAt ? el("span", { class: "muted", text: t("revoked", when(l.revokedAt)) })
          : button("revoke", () => confirm(t("confirmRevokeDisplay", l.name)) && act(async () => { await api(`/api/display-links/${l.id}`, { method: "DELETE" }); await loadDisplays(); }, t("displayRevoked", l.name))))));
    }
  }

  // --- calendars ------------------------------------------------------------------------------------------------

  async function showCalendars() {
    state.calendars = await api("/api/admin/calendars");
    const list = clear($("calendar-years"));
    for (const y of state.calendars.years) {
      const detail = y.source === "stored" ? t("storedBy", y.storedBy, when(y.storedAt)) : t(`source.${y.source}`);
      list.append(el("li", { "data-year": String(y.year), class: state.gridYear === y.year ? "current" : null },
        el("button", { type: "button", class: "link year", text: String(y.year), onclick: () => showYear(y.year) }),
        el("span", { class: `tag source-${y.source}`, text: t(`source.${y.source}`) }),
        el("div", { class: "muted", text: `${y.source === "stored" ? detail + " · " : ""}${t("workingDaysIn", y.workingDays)} · ${t("daysOffMakeUp", y.daysOff, y.makeUpDays)}` })));
    }
    renderChanges();
    const form = $("notice-form").elements;
    if (!form.year.value) {
      const provisional = state.calendars.years.filter((y) => y.provisional).map((y) => y.year);
      form.year.value = String(provisional.length ? Math.min(...provisional) : new Date().getFullYear() + 1);
    }
    await showYear(state.gridYear || Number(form.year.value));
  }

  function renderChanges() {
    const table = $("calendar-changes");
    clear(table.tHead).append(el("tr", {}, ...["version", "year", "changedBy", "changedAt", "dates", "recomputed"].map((k) => el("th", { text: t(k) }))));
    const body = clear(table.tBodies[0]);
    for (const c of state.calendars.changes) {
      body.append(el("tr", {}, el("td", { class: "num", text: String(c.version) }), el("td", { text: String(c.year) }), el("td", { text: c.changedBy }),
        el("td", { text: when(c.changedAt) }), el("td", { class: "num", text: String(c.changedDates) }),
        el("td", { text: c.recomputed ? `${t("done")} · ${t("itemsMoved", c.itemsRecomputed, c.dueDaysMoved, c.lightsChanged)}` : t("pending") })));
    }
  }

  async function showYear(year) {
    state.gridYear = year;
    for (const li of document.querySelectorAll("#calendar-years li")) li.classList.toggle("current", Number(li.dataset.year) === year);
    const found = await api(`/api/calendars/${year}`);
    const off = new Set();
    for (const h of found.holidays) for (let d = new Date(`${h.from}T00:00:00`); day(d) <= h.to; d.setDate(d.getDate() + 1)) off.add(day(d));
    renderGrid(year, off, new Set(found.makeUpDays.map((m) => m.date)), new Set(), t("gridTitle", year) + (found.provisional ? `（${t("source.provisional")}）` : ""));
  }

  // The year as twelve month grids, Monday first: days off filled, make-up working days outlined in the day-off
  // colour, weekends light, changed dates ringed.
  function renderGrid(year, off, workdays, changed, title) {
    $("grid-title").textContent = title;
    $("grid-legend").textContent = t("legendGrid");
    const grid = clear($("calendar-grid"));
    const names = t("weekdays");
    for (let m = 0; m < 12; m++) {
      const table = el("table", { class: "month", "data-month": String(m + 1) },
        el("caption", { text: t("month", m + 1) }),
        el("thead", {}, el("tr", {}, ...Array.from(names).map((n) => el("th", { text: n })))));
      const body = el("tbody");
      let row = el("tr");
      const first = new Date(year, m, 1);
      const lead = (first.getDay() + 6) % 7;
      for (let i = 0; i < lead; i++) row.append(el("td"));
      for (let d = new Date(first); d.getMonth() === m; d.setDate(d.getDate() + 1)) {
        const key = day(d);
        const weekend = d.getDay() === 0 || d.getDay() === 6;
        const classes = [off.has(key) ? "off" : workdays.has(key) ? "makeup" : weekend ? "weekend" : "work", changed.has(key) ? "changed" : ""].join(" ").trim();
        row.append(el("td", { class: classes, "data-day": key, title: key, text: String(d.getDate()) }));
        if (row.children.length === 7) { body.append(row); row = el("tr"); }
      }
      if (row.children.length) body.append(row);
      table.append(body);
      grid.append(table);
    }
  }

  async function previewNotice(event) {
    event.preventDefault();
    const form = $("notice-form").elements;
    const year = Number(form.year.value);
    const detected = form.text.value.match(/(20\d\d)\s*年部分节假日/);
    if (detected && Number(detected[1]) !== year) form.year.value = detected[1];
    const target = Number(form.year.value);
    const box = clear($("notice-preview"));
    let preview = await act(() => api(`/api/admin/calendars/${target}/notice`, { method: "POST", body: form.text.value }));
    if (!preview) return;
    if (preview.kind === "calendar-preview") {
      // Many open items in the changed window: the preview is a background job; follow it.
      const bar = el("progress", { max: "1", value: "0" });
      const words = el("span", { text: t("queued") });
      box.hidden = false;
      box.append(el("h2", { text: t("previewing") }), bar, words);
      const job = await followJob(preview.href, (done, total) => { bar.max = total; bar.value = done; words.textContent = t("previewProgress", done, total); });
      if (job.status !== "succeeded") { clear(box).append(el("p", { class: "error", text: t("jobFailed", job.error || job.status) })); return; }
      preview = job.result;
      clear(box);
    }
    say("");
    box.hidden = false;
    const moves = preview.openItems;
    const examples = el("table", { class: "admin-table", id: "moves" },
      el("thead", {}, el("tr", {}, el("th", { text: t("item") }), el("th", { text: t("dueNow") }), el("th", { text: t("dueAfter") }))),
      el("tbody", {}, moves.examples.map((m) => el("tr", {}, el("td", {}, el("a", { href: `/items/${m.itemId}`, text: m.title })), el("td", { text: m.dueOn || "" }), el("td", { text: m.newDueOn || "" })))));
    const apply = el("button", { type: "button", id: "apply-notice", text: t("applyNotice") });
    const progress = el("div", { id: "apply-progress", role: "status" });
    apply.addEventListener("click", () => applyNotice(target, form.text.value, apply, progress));
    box.append(
      el("h2", { text: t("previewTitle", preview.title) }),
      el("p", { class: "muted", text: t(preview.inForce === "provisional" ? "inForceProvisional" : "inForceNotice") }),
      el("h3", { text: t("sectionsList") }),
      el("ul", { class: "sections" }, preview.sections.map((s) => el("li", { text: `${state.lang === "zh" ? s.name : s.nameEn}：${s.from} — ${s.to}${s.workdays.length ? `；${t("workdaysList", s.workdays.length)} ${s.workdays.join("、")}` : ""}` }))),
      el("p", { text: `${t("holidaysList", preview.holidays.length)}；${t("workdaysList", preview.workdays.length)}` }),
      el("p", { id: "changed-dates", text: preview.changedDates.length ? t("changedDates", preview.changedDates.length) : t("noChange") }),
      el("p", { id: "moves-summary", text: moves.dueDaysMove ? t("moves", moves.lookedAt, moves.dueDaysMove) : t("noMoves") }),
      ...(moves.examples.length ? [examples] : []),
      apply, progress);
    renderGrid(target, new Set(preview.holidays), new Set(preview.workdays), new Set(preview.changedDates), t("gridTitlePreview", target));
    box.scrollIntoView({ block: "start" });
  }

  async function applyNotice(year, text, apply, progress) {
    apply.disabled = true;
    progress.textContent = t("applying");
    const stored = await act(() => api(`/api/admin/calendars/${year}/notice?apply=true`, { method: "POST", body: text }));
    if (!stored) { apply.disabled = false; progress.textContent = ""; return; }
    if (!stored.job) {
      progress.textContent = t("appliedNoJob", year, stored.calendarVersion);
    } else {
      const bar = el("progress", { max: "1", value: "0" });
      const words = el("span", { text: t("queued") });
      clear(progress).append(bar, words);
      const job = await followJob(stored.job.href, (done, total) => { bar.max = total; bar.value = done; words.textContent = t("progress", done, total); });
      const r = job.result;
      clear(progress).append(job.status === "succeeded"
        ? el("span", { class: "ok", text: t("appliedResult", year, stored.calendarVersion, r.itemsRecomputed, r.dueDaysMoved, r.lightsChanged) })
        : el("span", { class: "error", text: t("jobFailed", job.error || job.status) }));
    }
    const finished = progress.textContent;
    state.gridYear = year;
    await showCalendars();
    say(finished);
  }

  // Reads a background job until it has succeeded or failed, telling its progress as it goes; answers its last state.
  async function followJob(href, onProgress) {
    for (;;) {
      const job = await api(href);
      if (["succeeded", "failed", "deleted"].includes(job.status)) return job;
      if (job.progress && job.progress.total) onProgress(job.progress.done, job.progress.total);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  // --- workflow definitions -------------------------------------------------------------------------------------

  async function showDefinitions() {
    if (!state.definitions) state.definitions = await api("/api/definitions");
    const box = clear($("definitions"));
    box.append(el("p", { class: "muted", text: t("definitionsHint") }));
    for (const d of state.definitions) {
      const names = new Map(d.steps.map((s) => [s.id, state.lang === "zh" ? s.name : s.nameEn]));
      const diagram = el("div", { class: "diagram" });
      if (window.WorkflowDiagram) diagram.append(window.WorkflowDiagram.render(d, { lang: state.lang, current: null }));
      box.append(el("article", { class: "card definition", "data-definition": d.id },
        el("div", { class: "card-head" }, el("h2", { text: state.lang === "zh" ? d.title : d.titleEn }), el("span", { class: "muted", text: `${d.id} · ${t("definitionVersion", d.version)}` })),
        diagram,
        el("table", { class: "admin-table steps" },
          el("thead", {}, el("tr", {}, el("th", { text: t("steps") }), el("th", { text: t("who") }), el("th", { text: t("limit") }), el("th", { text: t("outcomes") }))),
          el("tbody", {}, d.steps.map((s) => el("tr", { "data-step": s.id },
            el("td", { text: `${names.get(s.id)}${s.terminal ? t("terminal") : ""}` }),
            el("td", { text: t(`role.${s.role}`) }),
            el("td", { text: s.limit || "" }),
            el("td", {}, s.outcomes.map((o) => el("div", { text: `${state.lang === "zh" ? o.name : o.nameEn} → ${names.get(o.to) || o.to}` })))))))));
    }
  }

  // --- access log -----------------------------------------------------------------------------------------------

  async function showLog() {
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

  // --- health ---------------------------------------------------------------------------------------------------

  async function showHealth() {
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

  // --- forms ----------------------------------------------------------------------------------------------------

  function wireForms() {
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
    $("display-add").addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = event.target.elements;
      const made = await act(() => api("/api/display-links", { method: "POST", body: { name: f.name.value.trim(), department: f.department.value } }));
      if (!made) return;
      f.name.value = "";
      const address = `${location.origin}${made.url}`;
      const copy = button("copy", async () => { await navigator.clipboard.writeText(address).catch(() => {}); copy.textContent = t("copied"); });
      clear($("display-once")).append(el("p", { text: t("displayOnce") }),
        el("div", { class: "token-line" }, el("code", { id: "new-display-url", text: address }), copy, el("a", { href: made.url, target: "_blank", rel: "noopener", text: t("open") })));
      $("display-once").hidden = false;
      await loadDisplays();
    });
    $("notice-form").addEventListener("submit", (event) => previewNotice(event).catch(fail));
    $("notice-form").elements.year.addEventListener("change", (event) => act(() => showYear(Number(event.target.value))));
    $("log-filters").addEventListener("submit", (event) => { event.preventDefault(); act(() => loadLog(false)); });
    $("log-more").addEventListener("click", () => act(() => loadLog(true)));
  }

  document.addEventListener("DOMContentLoaded", () => start().catch(fail));
})();
