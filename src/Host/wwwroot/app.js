// The light board: plain JavaScript over the JSON API, no build step, no external requests.
// Everything that comes from user data is put into the page with textContent, never as HTML.
"use strict";

(() => {
  const texts = {
    zh: {
      title: "督办亮灯看板", choosePassword: "设置自己的密码", choosePasswordHint: "管理员为您设置了初始密码。请先设置只有您知道的密码（至少 10 个字符，不能是用户名或常见密码）。", currentPassword: "当前密码", newPassword: "新密码", savePassword: "保存密码", jobs: "后台任务", administration: "系统管理", noRoll: "，不顺延", menu: "☰ 菜单", filtersToggle: "筛选条件", myWork: "我的待办", myWorkHint: "本部门您可以办理的事项，最紧急的在前：严重超期、红灯、黄灯、绿灯，同色按截止日先后。", myWorkEmpty: "眼下没有需要您办理的事项。", myCount: "共 {0} 项", myCountMore: "最紧急的 {0} 项", daysLeft: "剩余 {0} 个工作日", daysOver: "超期 {0} 个工作日", dueToday: "今天到期", openItem: "办理…", dueLabel: "截止 {0}", setupTitle: "首次使用：设置本单位和系统管理员", setupHint: "系统里还没有任何账号。请输入启动服务时日志中显示的设置码（每次启动都会变化），填写本单位名称，并创建第一个系统管理员。", setupCode: "设置码", setupOffice: "本单位名称", setupName: "姓名", setupSubmit: "完成设置", setupWrongCode: "设置码不对：请查看服务启动时日志中的设置码（每次启动都会变化）。", setupDone: "本单位已经设置过了，请直接登录。", jobQueued: "已排队，稍候开始……", jobRunning: "正在导入：", jobFailed: "后台任务失败。", signIn: "登录", signOut: "退出", login: "用户名", password: "密码", signInFailed: "用户名或密码错误。",
      kind: "类型", all: "全部", requests: "依申请公开", tasks: "督办任务", department: "部门", light: "灯色", step: "环节",
      dueWithin: "N个工作日内到期", search: "搜索", apply: "筛选", clear: "清除", board: "亮灯情况", close: "关闭",
      prev: "上一页", next: "下一页", forecast: "预警", trends: "趋势", onTimeByDepartment: "各部门按期率", inbox: "通知",
      back: "← 返回看板", actions: "可办理操作", assignments: "承办单位", history: "办理记录", deadline: "期限说明",
      green: "绿灯", yellow: "黄灯", red: "红灯", serious: "严重超期", paused: "暂停", open: "在办合计", onTimeRate: "按期率",
      "done-on-time": "按期办结", "done-late": "超期办结", total: "合计", updated: "更新于",
      legend: "● 绿灯：正常　▲ 黄灯：临近期限　■ 红灯：已超期　✖ 严重超期　‖ 暂停计时。数字为在办事项数，点击查看清单。",
      liveOn: "实时更新", liveOff: "连接中断，正在重连", expand: "展开", collapse: "收起",
      number: "编号", itemTitle: "标题", due: "截止", workingDays: "个工作日内", until: "截至", turnYellow: "将转黄灯", turnRed: "将转红灯",
      page: "第 {0} 页，共 {1} 条", noItems: "没有符合条件的事项。", received: "收到日期", result: "结果", role: "职责", closed: "办结时间",
      lead: "牵头", responsible: "配合", handling: "承办", none: "无", noActions: "当前没有可由您办理的操作。", submit: "提交",
      reason: "理由", note: "备注", approver: "批准人", days: "工作日数", dueOn: "新截止日", toStep: "退回到", text: "内容",
      on: "生效日期（发函或收到答复之日，默认今天）", lateCorrection: "逾期告知补正", lateCorrectionHint: "收到申请超过7个工作日后才告知补正（第三十条），已记录理由。",
      pendingExtension: "待批准的延期申请", pendingExtensionText: "{0}申请延长{1}个工作日：{2}",
      assignment: "承办单位", redCount: "红灯", yellowCount: "黄灯", noTrend: "暂无趋势数据。", unread: "未读", pausedFlag: "（暂停计时）",
      list: "{0}：{1}", allDepartments: "全部部门", actionDone: "已办理。", redYellowPerDay: "每日红灯、黄灯数",
      system: "系统", registered: "登记", "light-changed": "灯色变化", "assignment-light-changed": "承办单位灯色变化", complete: "办理",
      assigned: "交办", pause: "暂停计时", resume: "恢复计时", extend: "延长期限", override: "确定期限", transfer: "转办", return: "退回", report: "报送进展", withdraw: "撤回",
      "extension-requested": "申请延期", "extension-approved": "批准延期", "extension-rejected": "不予延期",
      "deadline-recomputed": "期限重算", "step-light-changed": "环节期限灯色变化",
      importPlan: "导入计划", planFile: "计划文件（.xlsx .xls .docx .csv .tsv .txt，不超过10MB）", planYear: "年度（可选）",
      planName: "计划名称（可选，默认取文件标题）", preview: "上传并预览", previewHint: "上传后先预览识别结果，不会创建任何任务；确认导入后才创建并交办。",
      undatedLabel: "计划未写完成时限的任务", "undated.year-end": "年底前完成", "undated.ongoing": "长期坚持，按季度报送进展", "undated.skip": "不创建",
      taskRows: "任务行", confirmImport: "确认导入", confirmHint: "确认后按上表创建任务并交办；同一计划的同一任务不会重复创建。",
      importResult: "导入结果", recentImports: "最近导入", noImports: "还没有导入记录。", chooseFile: "请选择计划文件。",
      fileTooLarge: "文件超过10MB，不能导入。", importFile: "文件", importLayout: "格式", importTitle: "标题", importYear: "年度",
      importPlanName: "计划", importUploaded: "上传", importConfirmed: "确认", importItems: "事项数", importTaskRows: "任务行数",
      importUnknown: "未匹配单位", importWarnings: "识别提示", importCreated: "已创建任务", importStatus: "状态", importBy: "上传人", importWhen: "上传时间",
      "status.previewed": "已预览，待确认", "status.imported": "已导入",
      itemNo: "序号", importItem: "事项", section: "分类", importTask: "任务", leadUnits: "牵头单位", responsibleUnits: "责任单位", planDeadline: "完成时限（识别结果 · 原文）",
      line: "行", outcome: "结果", atLine: "第{0}行", asWritten: "原文：", noTaskRows: "该事项没有任务行。",
      dueBy: "{0}前", afterEvent: "{0}后{1}内", theEvent: "起算事件", ongoing: "长期坚持", continuous: "实时", notUnderstood: "未能识别",
      limitWorkingDays: "{0}个工作日", limitCalendarDays: "{0}日（自然日）", limitMonth: "{0}个月", limitMonths: "{0}个月", limitHours: "{0}小时", limitMinutes: "{0}分钟",
      awaitingMark: "◷ 待事件发生后起算", unknownUnit: "（未匹配）", unknownUnits: "未匹配的单位",
      unknownHint: "以下单位没有对应的部门：可先添加部门再重新上传，或勾选“确认时新建这些单位”。", createUnits: "确认时新建这些单位",
      "outcome.created": "✔ 已创建并交办", "outcome.awaiting-event": "◷ 已创建，待事件发生后交办", "outcome.already-imported": "＝ 已导入过，未重复创建", "outcome.not-created": "✘ 未创建",
      resultSummary: "创建 {0} 项（其中待事件 {1} 项），已导入过 {2} 项，未创建 {3} 项。", createdUnits: "新建的单位",
      withNote: "{0}（{1}）", createdUnit: "（已新建）",
      "layout.Workbook": "Excel 工作簿", "layout.Word table": "Word 表格", "layout.CSV": "CSV 表格", "layout.TabSeparated": "制表符分隔的表格",
      "layout.CellPerLine": "每行一个单元格的表格", "layout.Prose": "编号段落",
      stepLimit: "环节期限", stepLimitHint: "环节期限（如审核7个工作日、征求第三方意见15个工作日）另计，与法定答复期限是两项不同的承诺。", replyDue: "答复期限（法定）",
      provisional: "暂定", provisionalDue: "{0}年放假安排尚未公布：截止日依《全国年节及纪念日放假办法》推算，国务院办公厅通知载入后将重新计算。",
      awaitingEvent: "待起算", awaitingEventHint: "“{0}”发生后，在“已交办”中填写事件发生日期，期限自该日起算。",
      reports: "统计考核", period: "统计期间", thisMonth: "本月", lastMonth: "上月", thisQuarter: "本季度", thisYear: "本年",
      from: "起始日期", to: "截止日期", query: "查询", periodRange: "{0} 至 {1}",
      byDepartment: "按部门", byWorkflow: "按业务类型", byPlan: "按计划", byPlanItem: "按计划事项",
      reportLegend: "有下级部门的行为含下级的合计，展开后“本级”行为该部门自身承办的事项；其余为本部门数字。在办按统计期末的灯色计。考核得分按各部门本级承办事项计算，点击得分查看扣分、加分明细。",
      summary: "期间受理（交办）{0}件，按期办结{1}件、超期办结{2}件，按期率{3}；期末在办{4}件，其中红灯{5}件（严重超期{6}件）。",
      "fig.received": "受理/交办", "fig.completedOnTime": "按期办结", "fig.completedLate": "超期办结", "fig.onTimeRate": "按期率",
      "fig.averageWorkingDays": "平均办理工作日", "fig.p90WorkingDays": "P90办理工作日", "fig.extensions": "延期", "fig.pauses": "暂停", "fig.returns": "退回", "fig.lateCorrections": "逾期告知补正",
      openAtEnd: "期末在办", score: "考核得分", ownRow: "本级", workflow: "业务类型", plan: "计划", planItem: "事项", noFigures: "该期间没有数据。",
      showScore: "{0}的考核得分明细", rulesName: "依据《{0}》", rule: "考核规则", count: "次数", points: "分值", startScore: "基础分", finalScore: "得分",
      clamped: "（已按得分上下限调整）",
      circulations: "通报", sendCirculation: "同时发送到通知和渠道", generateCirculation: "生成所选期间的通报", circulationPeriod: "（{0} 至 {1}）",
      circulationNo: "编号", circulationKind: "类型", "kind.monthly": "月度通报", "kind.on-demand": "按需通报", office: "单位",
      generatedAt: "生成时间", generatedBy: "生成人", monthlyBy: "系统（每月自动）", printable: "打印版", noCirculations: "还没有通报。",
      circulationMade: "已生成通报（编号 {0}）。", circulationSent: "已生成通报（编号 {0}），发出 {1} 条通知。",
      exports: "导出", exportsPeriod: "{0} 至 {1}", statistics: "统计表", ledger: "台账", excel: "Excel", csv: "CSV", csvTables: "CSV：",
      "csv.departments": "部门", "csv.scores": "考核得分", "csv.workflows": "业务类型", "csv.plans": "计划", "csv.items": "计划事项",
      workflowDiagram: "流程图", otherVersion: "本事项按第{0}版流程办理，图中为现行的第{1}版。",
    },
    en: {
      title: "Supervision light board", choosePassword: "Choose your own password", choosePasswordHint: "An administrator set your first password. Choose one only you know first (at least 10 characters, not your user name nor a common password).", currentPassword: "Current password", newPassword: "New password", savePassword: "Save password", jobs: "Jobs", administration: "Administration", noRoll: ", not rolled", menu: "☰ Menu", filtersToggle: "Filters", myWork: "My work", myWorkHint: "What you can do in your department, most urgent first: seriously overdue, red, yellow, green, then by due day.", myWorkEmpty: "Nothing waits for you just now.", myCount: "{0} items", myCountMore: "the {0} most urgent", daysLeft: "{0} working days left", daysOver: "{0} working days over", dueToday: "due today", openItem: "Open…", dueLabel: "due {0}", setupTitle: "First run: your office and its administrator", setupHint: "Nobody has an account yet. Enter the setup code the server wrote to its log when it started (it changes at every start), your office's name, and the first administrator.", setupCode: "Setup code", setupOffice: "Your office", setupName: "Name", setupSubmit: "Set up", setupWrongCode: "Not this server's setup code: it is in the log the server wrote when it started (it changes at every start).", setupDone: "The office is already set up: sign in.", jobQueued: "Queued, starting shortly…", jobRunning: "Importing:", jobFailed: "The background job failed.", signIn: "Sign in", signOut: "Sign out", login: "User name", password: "Password", signInFailed: "Unknown user or wrong password.",
      kind: "Kind", all: "All", requests: "Disclosure requests", tasks: "Supervision tasks", department: "Department", light: "Light", step: "Step",
      dueWithin: "Due within N working days", search: "Search", apply: "Apply", clear: "Clear", board: "Lights", close: "Close",
      prev: "Previous", next: "Next", forecast: "Forecast", trends: "Trends", onTimeByDepartment: "On-time rate by department", inbox: "Notices",
      back: "← Back to the board", actions: "What you can do", assignments: "Departments", history: "History", deadline: "Deadline",
      green: "Green", yellow: "Yellow", red: "Red", serious: "Seriously overdue", paused: "Paused", open: "Open", onTimeRate: "On time",
      "done-on-time": "Done on time", "done-late": "Done late", total: "Total", updated: "Updated",
      legend: "● green: on schedule  ▲ yellow: close to the deadline  ■ red: overdue  ✖ seriously overdue  ‖ clock paused. Numbers count open items; click one for the list.",
      liveOn: "Live", liveOff: "Disconnected, reconnecting", expand: "Expand", collapse: "Collapse",
      number: "No.", itemTitle: "Title", due: "Due", workingDays: "working days", until: "until", turnYellow: "turn yellow", turnRed: "turn red",
      page: "Page {0}, {1} items", noItems: "No items match.", received: "Received", result: "Result", role: "Role", closed: "Closed",
      lead: "lead", responsible: "responsible", handling: "handling", none: "none", noActions: "Nothing for you to do here now.", submit: "Submit",
      reason: "Reason", note: "Note", approver: "Approved by", days: "Working days", dueOn: "New due day", toStep: "Return to", text: "Text",
      on: "Took effect on (letter sent or answer received; default today)", lateCorrection: "Correction asked late", lateCorrectionHint: "The correction was asked for more than 7 working days after receipt (art. 30); the reason is recorded.",
      pendingExtension: "Extension awaiting approval", pendingExtensionText: "{0} asks for {1} more working days: {2}",
      assignment: "Department", redCount: "red", yellowCount: "yellow", noTrend: "No trend data yet.", unread: "unread", pausedFlag: " (clock paused)",
      list: "{0}: {1}", allDepartments: "All departments", actionDone: "Done.", redYellowPerDay: "Red and yellow per day",
      system: "system", registered: "registered", "light-changed": "light changed", "assignment-light-changed": "department's light changed", complete: "completed",
      assigned: "assigned", pause: "paused", resume: "resumed", extend: "extended", override: "deadline set", transfer: "transferred", return: "returned", report: "progress reported", withdraw: "withdrawn",
      "extension-requested": "extension asked for", "extension-approved": "extension approved", "extension-rejected": "extension rejected",
      "deadline-recomputed": "deadline recomputed", "step-light-changed": "step limit light changed",
      importPlan: "Import plan", planFile: "Plan file (.xlsx .xls .docx .csv .tsv .txt, at most 10 MB)", planYear: "Year (optional)",
      planName: "Plan name (optional; the file's title by default)", preview: "Upload and preview", previewHint: "Uploading shows what was read and creates nothing; tasks are created and assigned only on confirming.",
      undatedLabel: "Tasks the plan gives no deadline", "undated.year-end": "Due at the end of the plan's year", "undated.ongoing": "Ongoing, progress reported quarterly", "undated.skip": "Not created",
      taskRows: "Task rows", confirmImport: "Confirm import", confirmHint: "Confirming creates and assigns the tasks above; a task already imported from the same plan is not created twice.",
      importResult: "Outcome", recentImports: "Recent imports", noImports: "No imports yet.", chooseFile: "Choose a plan file.",
      fileTooLarge: "The file is larger than 10 MB and cannot be imported.", importFile: "File", importLayout: "Layout", importTitle: "Title", importYear: "Year",
      importPlanName: "Plan", importUploaded: "Uploaded", importConfirmed: "Confirmed", importItems: "Items", importTaskRows: "Task rows",
      importUnknown: "Unknown units", importWarnings: "Warnings", importCreated: "Tasks created", importStatus: "Status", importBy: "By", importWhen: "Uploaded at",
      "status.previewed": "Previewed, not confirmed", "status.imported": "Imported",
      itemNo: "No.", importItem: "Item", section: "Section", importTask: "Task", leadUnits: "Lead", responsibleUnits: "Responsible", planDeadline: "Deadline (as read · as written)",
      line: "Line", outcome: "Outcome", atLine: "line {0}", asWritten: "written: ", noTaskRows: "This item has no task rows.",
      dueBy: "by {0}", afterEvent: "within {1} after {0}", theEvent: "the event", ongoing: "ongoing", continuous: "continuous", notUnderstood: "not understood",
      limitWorkingDays: "{0} working days", limitCalendarDays: "{0} calendar days", limitMonth: "{0} month", limitMonths: "{0} months", limitHours: "{0} hours", limitMinutes: "{0} minutes",
      awaitingMark: "◷ counted from its event", unknownUnit: " (unknown)", unknownUnits: "Units no department matches",
      unknownHint: "No department matches these units: add the departments and upload again, or tick \"create these units on confirming\".", createUnits: "Create these units on confirming",
      "outcome.created": "✔ created and assigned", "outcome.awaiting-event": "◷ created, assigned when its event happens", "outcome.already-imported": "= already imported, left alone", "outcome.not-created": "✘ not created",
      resultSummary: "{0} created ({1} awaiting their event), {2} already imported, {3} not created.", createdUnits: "Units created",
      withNote: "{0} ({1})", createdUnit: " (created)",
      "layout.Workbook": "Excel workbook", "layout.Word table": "Word table", "layout.CSV": "CSV table", "layout.TabSeparated": "tab-separated table",
      "layout.CellPerLine": "table with one cell per line", "layout.Prose": "numbered paragraphs",
      stepLimit: "Step limit", stepLimitHint: "A step's own limit (review 7 working days, a consultation 15) is a second promise beside the statutory reply deadline.", replyDue: "Reply deadline (statutory)",
      provisional: "provisional", provisionalDue: "The {0} holiday arrangement is not yet published: the due day is reckoned from the law on public holidays and will be recomputed when the State Council's notice is loaded.",
      awaitingEvent: "Awaiting its event", awaitingEventHint: "When \"{0}\" happens, assign it with the day it happened; the deadline counts from that day.",
      reports: "Reports", period: "Period", thisMonth: "This month", lastMonth: "Last month", thisQuarter: "This quarter", thisYear: "This year",
      from: "From", to: "To", query: "Show", periodRange: "{0} to {1}",
      byDepartment: "By department", byWorkflow: "By workflow", byPlan: "By plan", byPlanItem: "By plan item",
      reportLegend: "A department with departments under it shows the total with them; unfolded, its \"own\" row shows its own assignments. Open items are counted by their light at the period's end. Scores count each department's own assignments; click a score for its deductions and additions.",
      summary: "{0} received or assigned in the period, {1} completed on time and {2} late, on-time rate {3}; {4} open at its end, {5} of them red ({6} seriously overdue).",
      "fig.received": "Received", "fig.completedOnTime": "On time", "fig.completedLate": "Late", "fig.onTimeRate": "On-time rate",
      "fig.averageWorkingDays": "Mean working days", "fig.p90WorkingDays": "P90 working days", "fig.extensions": "Extensions", "fig.pauses": "Pauses", "fig.returns": "Returns", "fig.lateCorrections": "Late corrections",
      openAtEnd: "Open at the period's end", score: "Score", ownRow: "Own", workflow: "Workflow", plan: "Plan", planItem: "Item", noFigures: "Nothing in this period.",
      showScore: "Score of {0}, line by line", rulesName: "Under \"{0}\"", rule: "Rule", count: "Count", points: "Points", startScore: "Start", finalScore: "Score",
      clamped: " (held within the score's bounds)",
      circulations: "Circulations", sendCirculation: "Also send to inboxes and channels", generateCirculation: "Generate a circulation for the chosen period", circulationPeriod: "({0} to {1})",
      circulationNo: "No.", circulationKind: "Kind", "kind.monthly": "Monthly", "kind.on-demand": "On demand", office: "Office",
      generatedAt: "Generated", generatedBy: "By", monthlyBy: "system (monthly)", printable: "Printable", noCirculations: "No circulations yet.",
      circulationMade: "Circulation {0} generated.", circulationSent: "Circulation {0} generated; notices sent: {1}.",
      exports: "Export", exportsPeriod: "{0} to {1}", statistics: "Statistics", ledger: "Ledger", excel: "Excel", csv: "CSV", csvTables: "CSV:",
      "csv.departments": "departments", "csv.scores": "scores", "csv.workflows": "workflows", "csv.plans": "plans", "csv.items": "plan items",
      workflowDiagram: "Workflow", otherVersion: "This item follows version {0} of its workflow; the diagram shows version {1}, the one in force.",
      // The definitions give their field labels in Chinese only; these are the English of supervision-task's.
      "field.plan": "Source plan", "field.planItem": "Plan item number", "field.content": "Task", "field.leadDepartments": "Lead departments",
      "field.responsibleDepartments": "Responsible departments", "field.deadline": "Deadline", "field.startsAfter": "Counted from (event)",
      "field.planText": "Plan text", "field.reportCadence": "Report cadence",
    },
  };
  // The reports page: the statistics shown, how its department tree is sorted and folded, whose score is opened, the
  // tab, the circulations listed and the one just generated. Signing out forgets it.
  function freshReports() {
    return { data: null, sort: { key: "name", dir: 1 }, expanded: new Set(), breakdown: null, tab: "departments", circulations: [], made: null };
  }

  const symbols = { green: "●", yellow: "▲", red: "■", serious: "✖", paused: "‖", "done-on-time": "✔", "done-late": "✘" };
  const columns = [
    { key: "green", light: "green" },
    { key: "yellow", light: "yellow" },
    { key: "red", light: "red" },
    { key: "seriouslyOverdue", light: "serious" },
    { key: "paused", light: "paused" },
    { key: "open", light: "open" },
  ];

  const state = {
    lang: localStorage.getItem("supervision.lang") || "zh",
    user: null,
    board: null,
    expanded: new Set(),
    sort: { key: "name", dir: 1 },
    filters: {},
    list: null,
    definitions: [],
    departments: [],
    events: null,
    reports: freshReports(),
  };

  const $ = (id) => document.getElementById(id);
  // Assignment ids to department ids, for the item shown (actions name the department they act for).
  let currentAssignments = new Map();
  const assignmentDepartment = (id) => currentAssignments.get(id);
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

  class Problem extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    // A FormData body (a file upload) goes as it is: the browser writes its multipart Content-Type and boundary.
    const form = options.body instanceof FormData;
    const response = await fetch(path, {
      credentials: "same-origin",
      headers: options.body && !form ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" },
      ...options,
      body: form ? options.body : options.body ? JSON.stringify(options.body) : undefined,
    });
    if (response.status === 401 && !path.startsWith("/api/session")) {
      showSignIn();
      throw new Problem(401, null);
    }
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json() : null;
    if (!response.ok) throw new Problem(response.status, body);
    return body;
  }

  // --- language -------------------------------------------------------------------------------------------------

  function applyLanguage() {
    // Server pages (the jobs dashboard) read the language from this cookie.
    document.cookie = `supervision.lang=${state.lang}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("lang").textContent = state.lang === "zh" ? "English" : "中文";
    setLive(state.events && state.events.readyState === EventSource.OPEN);
    fillStepFilter();
  }

  function lightWords(light, serious, paused) {
    const key = light === "red" && serious ? "serious" : light;
    return `${symbols[key] || ""} ${t(key)}${paused ? t("pausedFlag") : ""}`.trim();
  }

  function lightBadge(light, serious, paused) {
    const key = light === "red" && serious ? "serious" : light;
    return el("span", { class: `light light-${key}`, text: lightWords(light, serious, paused) });
  }

  // "disclosure-request v1" -> its definition (the newest of that id is what /api/definitions lists).
  const definitionOf = (name) => state.definitions.find((d) => d.id === String(name || "").split(" ")[0]);

  function stepName(id, definition) {
    for (const d of definition ? [definition, ...state.definitions] : state.definitions) {
      const step = d.steps.find((s) => s.id === id);
      if (step) return state.lang === "zh" ? step.name : step.nameEn;
    }
    return id;
  }

  // --- session --------------------------------------------------------------------------------------------------

  function showSignIn() {
    state.user = null;
    state.reports = freshReports();
    if (state.events) { state.events.close(); state.events = null; }
    $("signin").hidden = false;
    $("password-view").hidden = true;
    $("board-view").hidden = true;
    $("item-view").hidden = true;
    $("imports-view").hidden = true;
    $("reports-view").hidden = true;
    $("nav-imports").hidden = true;
    $("nav-reports").hidden = true;
    $("nav-jobs").hidden = true;
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
      for (const view of ["board-view", "my-view", "item-view", "imports-view", "reports-view"]) $(view).hidden = true;
      return;
    }
    $("nav-imports").hidden = !isSupervisor();
    $("nav-reports").hidden = false;
    $("nav-my").hidden = false;
    $("nav-board").hidden = false;
    // The jobs dashboard (a server page) is for administrators and supervisors.
    $("nav-jobs").hidden = !["admin", "supervisor"].includes(state.user.role);
    $("nav-admin").hidden = state.user.role !== "admin";
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
    // The board's filters fold the same way on a phone.
    const filters = $("filters");
    const filtersToggle = $("filters-toggle");
    filtersToggle.addEventListener("click", () => {
      const open = !filters.classList.contains("open");
      filters.classList.toggle("open", open);
      filtersToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // --- routing --------------------------------------------------------------------------------------------------

  function navigate(path) {
    if (location.pathname !== path) history.pushState(null, "", path);
    route();
  }

  async function route() {
    // Only supervisors import plans (the API refuses anyone else): others asking for the page get the board.
    if (location.pathname.startsWith("/imports") && !isSupervisor()) history.replaceState(null, "", "/board");
    const item = location.pathname.match(/^\/items\/(\d+)$/);
    const imports = location.pathname.match(/^\/imports(?:\/(\d+))?$/);
    const reports = location.pathname === "/reports";
    // Handlers and leads land on their own work; everyone finds the board at /board.
    if (location.pathname === "/" && ["handler", "lead"].includes(state.user.role)) history.replaceState(null, "", "/my");
    const my = location.pathname === "/my";
    $("board-view").hidden = !!(item || imports || reports || my);
    $("my-view").hidden = !my;
    $("item-view").hidden = !item;
    $("imports-view").hidden = !imports;
    $("reports-view").hidden = !reports;
    markCurrent($("nav-imports"), !!imports);
    markCurrent($("nav-reports"), reports);
    markCurrent($("nav-my"), my);
    markCurrent($("nav-board"), !(item || imports || reports || my));
    if (item) await showItem(Number(item[1]));
    else if (my) await showMyWork();
    else if (imports) await showImports(imports[1] ? Number(imports[1]) : null);
    else if (reports) await showReports();
    else await refreshBoard();
  }

  // --- my work --------------------------------------------------------------------------------------------------

  async function showMyWork() {
    const work = await api("/api/my/work");
    const list = clear($("my-work"));
    $("my-empty").hidden = work.rows.length > 0;
    $("my-count").textContent = work.more ? t("myCountMore", work.rows.length) : t("myCount", work.rows.length);
    for (const row of work.rows) list.append(workRow(row));
  }

  function workRow(row) {
    const due = row.dueOn || (row.dueAt ? row.dueAt.slice(0, 10) : "");
    const left = row.workingDaysLeft;
    const when = left === null || left === undefined ? "" : left < 0 ? t("daysOver", -left) : left === 0 ? t("dueToday") : t("daysLeft", left);
    const title = el("a", { href: `/items/${row.itemId}`, class: "work-title", text: row.title, onclick: (e) => { e.preventDefault(); navigate(`/items/${row.itemId}`); } });
    const actions = el("div", { class: "work-actions" });
    // Many outcomes (a reply's eight kinds): chosen on the item's page, where each says what it means.
    if (row.actions.length > 3) {
      actions.append(el("a", { class: "button", href: `/items/${row.itemId}`, text: t("openItem"), onclick: (e) => { e.preventDefault(); navigate(`/items/${row.itemId}`); } }));
    }
    for (const a of row.actions.length > 3 ? [] : row.actions) {
      const name = state.lang === "zh" ? a.name.zh : a.name.en;
      // One tap when the action asks for nothing; otherwise its form on the item's page.
      if (a.fields.some((f) => f.required)) {
        actions.append(el("a", { class: "button secondary", href: `/items/${row.itemId}`, text: `${name}…`, onclick: (e) => { e.preventDefault(); navigate(`/items/${row.itemId}`); } }));
        continue;
      }
      actions.append(el("button", {
        type: "button", text: name, "data-action": a.action, "data-outcome": a.outcome || "",
        onclick: async (e) => {
          e.target.disabled = true;
          try {
            await api(`/api/items/${row.itemId}/actions/${a.action}`, { method: "POST", body: { step: a.step, outcome: a.outcome, assignment: a.assignment } });
            await showMyWork();
          } catch (problem) {
            e.target.disabled = false;
            showError(problem);
          }
        },
      }));
    }
    return el("li", { class: "work-row", "data-item-id": String(row.itemId), "data-light": row.seriouslyOverdue ? "serious" : row.light, "data-due": due },
      el("div", { class: "work-light" }, lightBadge(row.light, row.seriouslyOverdue, row.paused)),
      el("div", { class: "work-main" }, title,
        el("div", { class: "muted" }, `${state.lang === "zh" ? row.stepName.zh : row.stepName.en} · ${row.department.name}${due ? ` · ${t("dueLabel", due)}` : ""}`),
        when ? el("div", { class: `work-left${left < 0 ? " over" : ""}`, text: when }) : null),
      actions);
  }

  function markCurrent(link, on) {
    if (on) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }

  // --- live updates ---------------------------------------------------------------------------------------------

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
  // shown, leaving the period being typed, the folding, the opened score and the tab as they are.
  function refreshView() {
    if (!$("imports-view").hidden) return loadImportList();
    if (!$("reports-view").hidden) return refreshReports();
    return route();
  }

  function setLive(on) {
    const live = $("live");
    live.dataset.state = on ? "on" : "off";
    live.textContent = on ? t("liveOn") : t("liveOff");
  }

  // --- the board ------------------------------------------------------------------------------------------------

  function boardQuery() {
    const q = new URLSearchParams();
    for (const k of ["kind", "step", "text", "dueWithin"]) if (state.filters[k]) q.set(k, state.filters[k]);
    return q;
  }

  async function refreshBoard() {
    const query = boardQuery();
    const [board, inbox] = await Promise.all([api(`/api/board?${query}`), api("/api/notices?pageSize=10")]);
    state.board = board;
    renderBoard();
    renderForecast();
    renderInbox(inbox);
    fillDepartmentFilter();
    refreshTrends().catch(() => {});
    if (state.list) await loadList();
  }

  function tree() {
    const rows = state.board.departments;
    const byId = new Map(rows.map((r) => [r.departmentId, { row: r, children: [] }]));
    const roots = [];
    for (const node of byId.values()) {
      const parent = node.row.parentId !== null ? byId.get(node.row.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    const rollUp = (node) => {
      const sum = { ...node.row };
      for (const child of node.children) {
        const c = rollUp(child);
        for (const k of ["green", "yellow", "red", "seriouslyOverdue", "paused", "open", "doneOnTime", "doneLate"]) sum[k] += c[k];
      }
      sum.onTimeRate = sum.doneOnTime + sum.doneLate === 0 ? null : Math.round((1000 * sum.doneOnTime) / (sum.doneOnTime + sum.doneLate)) / 10;
      node.total = sum;
      return sum;
    };
    roots.forEach(rollUp);
    const focus = state.filters.department ? byId.get(Number(state.filters.department)) : undefined;
    return focus ? [focus] : roots;
  }

  function sortNodes(nodes) {
    const { key, dir } = state.sort;
    return [...nodes].sort((a, b) => {
      const x = key === "name" ? a.row.department : a.total[key] ?? -1;
      const y = key === "name" ? b.row.department : b.total[key] ?? -1;
      return (typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y) * dir;
    });
  }

  function renderBoard() {
    const table = $("board");
    const head = clear(table.tHead);
    const headRow = el("tr");
    const sortable = (key, label, numeric) => {
      const th = el("th", { class: numeric ? "num" : null, scope: "col" },
        el("button", { type: "button", class: "sort", text: label, onclick: () => { state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === "name" ? 1 : -1 }; renderBoard(); } }));
      if (state.sort.key === key) th.setAttribute("aria-sort", state.sort.dir > 0 ? "ascending" : "descending");
      return th;
    };
    headRow.append(sortable("name", t("department"), false));
    for (const c of columns) headRow.append(sortable(c.key, `${symbols[c.light] || ""} ${t(c.light)}`.trim(), true));
    headRow.append(sortable("onTimeRate", t("onTimeRate"), true));
    head.append(headRow);

    const body = clear(table.tBodies[0]);
    const addRows = (nodes, depth) => {
      for (const node of sortNodes(nodes)) {
        const hasChildren = node.children.length > 0;
        const open = state.expanded.has(node.row.departmentId) || (depth === 0 && !state.expanded.has(-node.row.departmentId));
        const name = el("td", { class: `dept indent-${Math.min(depth, 3)}` });
        if (hasChildren) {
          name.append(el("button", {
            type: "button", class: "toggle", "aria-expanded": open ? "true" : "false", "aria-label": open ? t("collapse") : t("expand"), text: open ? "▾" : "▸",
            onclick: () => {
              const id = node.row.departmentId;
              if (open) { state.expanded.delete(id); if (depth === 0) state.expanded.add(-id); } else { state.expanded.add(id); state.expanded.delete(-id); }
              renderBoard();
            },
          }));
        }
        // A department with departments under it shows the subtotal of its whole subtree (小计), folded or not.
        const figures = hasChildren ? node.total : node.row;
        // Its worst light at a glance, before its name (shape and word too, not colour alone).
        const worst = worstLight(figures);
        name.append(el("span", { class: "worst", "data-light": worst, role: "img", "aria-label": worst === "none" ? t("none") : t(worst), title: worst === "none" ? t("none") : t(worst) }));
        name.append(document.createTextNode(node.row.department));
        const tr = el("tr", { "data-department": node.row.departmentId, "data-light": worst }, name);
        for (const c of columns) tr.append(countCell(figures[c.key], node.row, c.light, hasChildren));
        tr.append(el("td", { class: "num rate", "data-label": t("onTimeRate"), text: figures.onTimeRate === null ? "—" : `${figures.onTimeRate}%` }));
        body.append(tr);
        if (hasChildren && open) addRows(node.children, depth + 1);
      }
    };
    addRows(tree(), 0);

    const foot = clear(table.tFoot);
    const totals = state.board.totals;
    const tr = el("tr", {}, el("td", { text: t("total") }));
    for (const c of columns) tr.append(countCell(totals[c.key], null, c.light, true));
    tr.append(el("td", { class: "num rate", "data-label": t("onTimeRate"), text: totals.onTimeRate === null ? "—" : `${totals.onTimeRate}%` }));
    foot.append(tr);
    $("board-at").textContent = `${t("updated")} ${new Date(state.board.at).toLocaleTimeString(state.lang === "zh" ? "zh-CN" : "en-GB")}`;
  }

  // The worst light among a department's open work: seriously overdue, red, yellow, green, or none open.
  function worstLight(figures) {
    if (figures.seriouslyOverdue > 0) return "serious";
    if (figures.red > 0) return "red";
    if (figures.yellow > 0) return "yellow";
    return figures.green > 0 ? "green" : "none";
  }

  function countCell(count, row, light, subtree) {
    const td = el("td", { class: "num" });
    const label = `${row ? row.department : t("allDepartments")} ${t(light)} ${count}`;
    td.append(el("button", {
      type: "button", class: `count${count === 0 ? " zero" : ""}`, text: String(count), "aria-label": label, "data-light": light, "data-label": t(light),
      onclick: () => openList({ department: row ? row.departmentId : null, departmentName: row ? row.department : t("allDepartments"), subtree, light }),
    }));
    return td;
  }

  function renderForecast() {
    // Due days in a year whose holiday arrangement is not published are reckoned from the law: say so.
    const years = state.board.provisionalYears || [];
    const note = $("provisional-note");
    note.hidden = years.length === 0;
    note.textContent = years.length === 0 ? "" : t("provisionalDue", years.join("、"));
    const table = $("forecast");
    clear(table.tHead).append(el("tr", {}, el("th", { text: t("due") }), el("th", { class: "num", text: `▲ ${t("turnYellow")}` }), el("th", { class: "num", text: `■ ${t("turnRed")}` })));
    const body = clear(table.tBodies[0]);
    for (const f of state.board.forecast) {
      const turnRed = el("button", {
        type: "button", class: `count${f.turnRed === 0 ? " zero" : ""}`, text: String(f.turnRed), "data-light": "red",
        onclick: () => openList({ department: null, departmentName: `${f.workingDays} ${t("workingDays")}`, subtree: false, light: "open", dueWithin: f.workingDays, dueAfter: state.board.today }),
      });
      body.append(el("tr", {},
        el("td", { text: `${f.workingDays} ${t("workingDays")}（${t("until")} ${f.until}）` }),
        el("td", { class: "num" }, el("span", { class: `count${f.turnYellow === 0 ? " zero" : ""}`, "data-light": "yellow", text: String(f.turnYellow) })),
        el("td", { class: "num" }, turnRed)));
    }
  }

  function renderInbox(inbox) {
    const list = clear($("inbox"));
    for (const n of inbox.notices) {
      const item = el("li", { class: n.readAt ? null : "unread" });
      const title = n.itemId
        ? el("a", { href: `/items/${n.itemId}`, text: n.subject, onclick: (e) => { e.preventDefault(); api(`/api/notices/${n.id}/read`, { method: "POST" }).catch(() => {}); navigate(`/items/${n.itemId}`); } })
        : el("span", { text: n.subject });
      item.append(title, el("div", { class: "muted", text: new Date(n.createdAt).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") }));
      list.append(item);
    }
  }

  function fillDepartmentFilter() {
    const select = document.querySelector("#filters select[name=department]");
    const current = state.filters.department || "";
    while (select.options.length > 1) select.remove(1);
    for (const row of state.board.departments) select.append(el("option", { value: row.departmentId, text: row.department }));
    select.value = current;
  }

  function fillStepFilter() {
    const select = document.querySelector("#filters select[name=step]");
    const current = state.filters.step || "";
    while (select.options.length > 1) select.remove(1);
    const seen = new Set();
    for (const d of state.definitions) {
      for (const s of d.steps) {
        if (s.terminal || seen.has(s.id)) continue;
        seen.add(s.id);
        select.append(el("option", { value: s.id, text: state.lang === "zh" ? s.name : s.nameEn }));
      }
    }
    select.value = current;
  }

  // --- trends (server-rendered figures drawn as SVG here; no external library) ------------------------------------

  async function refreshTrends() {
    const q = new URLSearchParams({ days: "28" });
    if (state.filters.kind) q.set("kind", state.filters.kind);
    let trends;
    try {
      trends = await api(`/api/board/trends?${q}`);
    } catch {
      clear($("trend-chart")).append(el("p", { class: "muted", text: t("noTrend") }));
      clear($("rate-chart"));
      return;
    }
    drawTrend(trends.days);
    drawRates(trends.departments);
  }

  const svgNs = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs = {}, text) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function drawTrend(days) {
    const box = clear($("trend-chart"));
    box.setAttribute("aria-label", t("redYellowPerDay"));
    if (!days || days.length === 0) { box.append(el("p", { class: "muted", text: t("noTrend") })); return; }
    const w = 300, h = 140, pad = 24;
    const max = Math.max(1, ...days.map((d) => Math.max(d.red, d.yellow)));
    const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, days.length - 1);
    const y = (v) => h - pad - (v * (h - 2 * pad)) / max;
    const chart = svg("svg", { viewBox: `0 0 ${w} ${h}` });
    chart.append(svg("line", { class: "axis", x1: pad, y1: h - pad, x2: w - pad, y2: h - pad }), svg("line", { class: "axis", x1: pad, y1: pad, x2: pad, y2: h - pad }));
    for (const [key, cls] of [["yellow", "yellow"], ["red", "red"]]) {
      chart.append(svg("polyline", { class: cls, points: days.map((d, i) => `${x(i)},${y(d[key])}`).join(" ") }));
    }
    chart.append(svg("text", { x: pad, y: h - 6 }, days[0].day), svg("text", { x: w - pad, y: h - 6, "text-anchor": "end" }, days[days.length - 1].day));
    chart.append(svg("text", { x: 2, y: pad + 4 }, String(max)), svg("text", { x: 2, y: h - pad }, "0"));
    const last = days[days.length - 1];
    box.append(chart, el("p", { class: "muted", text: `${days[days.length - 1].day}：■ ${t("redCount")} ${last.red}　▲ ${t("yellowCount")} ${last.yellow}` }));
  }

  function drawRates(departments) {
    const box = clear($("rate-chart"));
    const rated = (departments || []).filter((d) => d.onTimeRate !== null);
    if (rated.length === 0) { box.append(el("p", { class: "muted", text: t("noTrend") })); return; }
    const w = 300, row = 18, label = 110;
    const chart = svg("svg", { viewBox: `0 0 ${w} ${rated.length * row + 4}` });
    rated.forEach((d, i) => {
      const width = ((w - label - 40) * d.onTimeRate) / 100;
      chart.append(svg("text", { x: 0, y: i * row + 13 }, d.department));
      chart.append(svg("rect", { class: "bar", x: label, y: i * row + 3, width: Math.max(1, width), height: row - 6 }));
      chart.append(svg("text", { x: label + width + 4, y: i * row + 13 }, `${d.onTimeRate}%`));
    });
    box.append(chart);
  }

  // --- drill-down list ------------------------------------------------------------------------------------------

  function openList(spec) {
    state.list = { ...spec, page: 1 };
    loadList().then(() => $("list-card").scrollIntoView({ block: "nearest" })).catch(showError);
  }

  async function loadList() {
    const spec = state.list;
    const q = new URLSearchParams({ page: String(spec.page), pageSize: "20" });
    for (const k of ["kind", "step", "text"]) if (state.filters[k]) q.set(k, state.filters[k]);
    const within = spec.dueWithin ?? state.filters.dueWithin;
    if (within !== undefined && within !== "") q.set("dueWithin", within);
    if (spec.dueAfter) q.set("dueAfter", spec.dueAfter);
    if (spec.department !== null && spec.department !== undefined) { q.set("department", spec.department); if (spec.subtree) q.set("subtree", "true"); }
    else if (state.filters.department) { q.set("department", state.filters.department); q.set("subtree", "true"); }
    switch (spec.light) {
      case "serious": q.set("light", "red"); q.set("serious", "true"); break;
      case "paused": q.set("paused", "true"); break;
      case "open": break;
      default: q.set("light", spec.light);
    }
    if (spec.dueAfter) q.set("paused", "false");
    q.set("open", "true");
    const page = await api(`/api/items?${q}`);
    renderList(page);
  }

  function renderList(page) {
    const spec = state.list;
    $("list-card").hidden = false;
    $("list-title").textContent = t("list", spec.departmentName, `${symbols[spec.light] || ""} ${t(spec.light)}`.trim());
    const table = $("list");
    clear(table.tHead).append(el("tr", {}, ...["number", "itemTitle", "kind", "department", "step", "light", "due"].map((k) => el("th", { text: t(k) }))));
    const body = clear(table.tBodies[0]);
    if (page.items.length === 0) body.append(el("tr", {}, el("td", { colspan: "7", class: "muted", text: t("noItems") })));
    for (const item of page.items) {
      body.append(el("tr", { "data-item": item.id },
        el("td", { class: "num", text: String(item.id) }),
        el("td", {}, el("a", { href: `/items/${item.id}`, text: item.title, onclick: (e) => { e.preventDefault(); navigate(`/items/${item.id}`); } })),
        el("td", { text: item.kind === "request" ? t("requests") : t("tasks") }),
        el("td", { text: item.department.name }),
        el("td", {}, stepName(item.step, definitionOf(item.definition)), item.stepLight ? [" ", stepBadge(item.stepLight)] : null),
        el("td", {}, lightBadge(item.light, item.seriouslyOverdue, item.paused)),
        el("td", {}, ...dueCell(item))));
    }
    // A broad filter at a province is counted up to a limit: "10000+", and a full page means there may be more.
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    $("page-info").textContent = t("page", page.page, page.totalIsAtLeast ? `${page.total}+` : page.total);
    $("prev").disabled = page.page <= 1;
    $("next").disabled = page.totalIsAtLeast ? page.items.length < page.pageSize : page.page >= pages;
  }

  // A step's or consultation's own light, apart from the reply light: its colour and shape, and the words "step limit".
  function stepBadge(light) {
    return el("span", { class: `light light-${light} step-light`, "data-step-light": light, title: t("stepLimit"), text: `${t("stepLimit")} ${lightWords(light, false, false)}` });
  }

  // The due day as the server gave it, marked when a year without a published holiday arrangement decides it.
  function dueCell(item) {
    const text = item.dueAt ? new Date(item.dueAt).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : item.dueOn || "—";
    const years = item.provisionalYears || [];
    if (years.length === 0) return [document.createTextNode(text)];
    return [document.createTextNode(text + " "), el("span", { class: "provisional", "data-provisional": years.join(","), title: t("provisionalDue", years.join("、")), text: t("provisional") })];
  }

  // --- one item -------------------------------------------------------------------------------------------------

  async function showItem(id) {
    const detail = await api(`/api/items/${id}`);
    const item = detail.item;
    const definition = definitionOf(item.definition);
    currentAssignments = new Map(detail.assignments.map((a) => [a.id, a.department.id]));
    $("item-title").textContent = item.title;
    clear($("item-light")).append(lightBadge(item.light, item.seriouslyOverdue, item.paused));
    const facts = clear($("item-facts"));
    const fact = (label, value, cls) => facts.append(el("dt", { text: label }), el("dd", { class: cls, text: value }));
    fact(t("number"), String(item.id));
    fact(t("kind"), item.kind === "request" ? t("requests") : t("tasks"));
    fact(t("department"), item.department.name);
    fact(t("step"), stepName(item.step, definition));
    fact(t("received"), item.receivedOn);
    fact(item.kind === "request" ? t("replyDue") : t("due"), item.dueAt ? new Date(item.dueAt).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : item.dueOn || t("none"));
    if (detail.stepLimit) {
      const limit = detail.stepLimit;
      facts.append(el("dt", { text: t("stepLimit") }), el("dd", { class: "step-limit", "data-step-light": limit.light, title: t("stepLimitHint") },
        stepBadge(limit.light), ` ${limit.dueOn || ""} · ${state.lang === "zh" ? limit.name.zh : limit.name.en}`));
    }
    if ((item.provisionalYears || []).length > 0) fact(t("provisional"), t("provisionalDue", item.provisionalYears.join("、")), "hint provisional-note");
    if (item.result) fact(t("result"), item.result);
    const fields = item.fields || {};
    for (const [name, value] of Object.entries(fields)) fact(fieldLabel(definition, name), fieldText(name, value, fields, item.deadlineSpan), name === "planText" ? "quote" : null);
    if (fields.startsAfter && item.step === "assign") fact(t("awaitingEvent"), t("awaitingEventHint", fields.startsAfter), "hint");
    if (detail.lateCorrection) fact(t("lateCorrection"), t("lateCorrectionHint"), "hint");
    for (const p of detail.pendingExtensions || []) fact(t("pendingExtension"), t("pendingExtensionText", p.requestedBy, p.workingDays, p.reason), "hint");

    const assignments = $("assignments");
    clear(assignments.tHead).append(el("tr", {}, ...["assignment", "role", "step", "light", "due", "closed"].map((k) => el("th", { text: t(k) }))));
    const body = clear(assignments.tBodies[0]);
    for (const a of detail.assignments) {
      body.append(el("tr", {},
        el("td", { text: a.department.name }), el("td", { text: t(a.role) }), el("td", { text: stepName(a.step, definition) }),
        el("td", {}, lightBadge(a.light, a.seriouslyOverdue, a.paused), a.stepLimit ? [" ", stepBadge(a.stepLimit.light)] : null), el("td", { text: a.dueOn || "—" }),
        el("td", { text: a.closedAt ? new Date(a.closedAt).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : "—" })));
    }

    const historyList = clear($("history"));
    for (const h of detail.history) {
      const parts = [new Date(h.at).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB"), h.actor === "system" ? t("system") : h.actor, t(h.action)];
      if (h.fromStep || h.toStep) parts.push(`${h.fromStep ? stepName(h.fromStep, definition) : ""} → ${h.toStep ? stepName(h.toStep, definition) : ""}`);
      if (h.toLight) parts.push(`${h.fromLight ? lightWords(h.fromLight) : ""} → ${lightWords(h.toLight)}`);
      const data = (h.detail && h.detail.data) || {};
      const said = h.detail && (h.detail.reason || h.detail.text || h.detail.note || data.reason || data.note);
      historyList.append(el("li", {}, el("span", { text: parts.join("　") }), said ? el("div", { class: "muted", text: String(said) }) : null));
    }

    // The deadline reckoned step by step: the item's own clock, or (tasks) each department's.
    const timeline = clear($("timeline"));
    const steps = (explanation) => ((explanation && explanation.steps) || []).map((step) => el("li", { text: state.lang === "zh" ? step.zh : step.en }));
    const own = detail.assignments.filter((a) => a.explanation);
    timeline.append(...steps(detail.explanation));
    const perDepartment = clear($("assignment-timelines"));
    if (!detail.explanation) {
      for (const a of own) perDepartment.append(el("h3", { text: a.department.name }), el("ol", { class: "timeline" }, ...steps(a.explanation)));
    }
    $("explanation-text").textContent = detail.explanation || own.length > 0 ? "" : t("none");

    renderActions(item, detail.actions);
    showDiagram(item, definition);
  }

  // The item's workflow drawn by diagram.js (from the definitions read at sign-in), the step it stands at marked.
  function showDiagram(item, definition) {
    const box = clear($("diagram"));
    const note = $("diagram-note");
    $("diagram-card").hidden = !definition || !window.WorkflowDiagram;
    note.hidden = true;
    if ($("diagram-card").hidden) return;
    box.append(window.WorkflowDiagram.render(definition, { lang: state.lang, current: item.step }));
    // Wider than the card (a phone): scrolled so that the current step is in view.
    const current = box.querySelector("g.step.current");
    if (current && box.scrollWidth > box.clientWidth) {
      const at = current.getBoundingClientRect(), frame = box.getBoundingClientRect();
      box.scrollLeft += at.left + at.width / 2 - (frame.left + box.clientWidth / 2);
    }
    const version = Number(String(item.definition).split(" v")[1]);
    if (version && version !== definition.version) {
      note.hidden = false;
      note.textContent = t("otherVersion", version, definition.version);
    }
  }

  function fieldLabel(definition, name) {
    for (const d of definition ? [definition, ...state.definitions] : state.definitions) {
      for (const s of d.steps) {
        const f = [...(s.fields || []), ...(s.outcomes || []).flatMap((o) => o.fields || [])].find((x) => x.name === name);
        if (f) return state.lang === "zh" ? f.label : texts.en[`field.${name}`] || name;
      }
    }
    return state.lang === "zh" ? name : texts.en[`field.${name}`] || name;
  }

  // A task counted from an event keeps its span in its "deadline" field; the server sends it as data (deadlineSpan):
  // said in words, with the event it counts from.
  function fieldText(name, value, fields, span) {
    if (name !== "deadline" || !span) return String(value);
    return fields.startsAfter ? t("afterEvent", fields.startsAfter, spanWords(span)) : spanWords(span);
  }

  function renderActions(item, actions) {
    const box = clear($("actions"));
    $("action-error").textContent = "";
    if (actions.length === 0) { box.append(el("p", { class: "muted", text: t("noActions") })); return; }
    for (const action of actions) {
      const department = action.assignment ? (state.departments.find((d) => d.id === assignmentDepartment(action.assignment)) || {}).name : null;
      const title = `${state.lang === "zh" ? action.name.zh : action.name.en}${department ? `（${department}）` : ""}`;
      const form = el("form", { "data-action": action.action, "data-outcome": action.outcome || "" });
      const inputs = [];
      const input = (name, label, node) => { inputs.push(name); form.append(el("label", {}, el("span", { text: label }), node)); };
      for (const f of action.fields) {
        const label = (state.lang === "zh" ? f.label.zh : f.label.en) + (f.required ? " *" : "");
        if (f.type === "choice") input(`field:${f.name}`, label, el("select", { name: `field:${f.name}` }, el("option", { value: "" }), ...f.choices.map((c) => el("option", { value: c, text: c }))));
        else input(`field:${f.name}`, label, el("input", { name: `field:${f.name}`, type: f.type === "date" ? "date" : "text", required: f.required }));
      }
      switch (action.action) {
        case "pause": input("reason", t("reason"), el("select", { name: "reason", required: true }, ...action.choices.map((c) => el("option", { value: c, text: c })))); input("on", t("on"), el("input", { name: "on", type: "date" })); input("note", t("note"), el("input", { name: "note" })); break;
        case "resume": input("on", t("on"), el("input", { name: "on", type: "date" })); input("note", t("note"), el("input", { name: "note" })); break;
        case "extend": input("workingDays", t("days"), el("input", { name: "workingDays", type: "number", min: "1", required: true })); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        case "reject-extension": input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        case "override": input("dueOn", t("dueOn"), el("input", { name: "dueOn", type: "date", required: true })); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        case "transfer": input("department", t("department"), el("select", { name: "department", required: true }, ...state.departments.map((d) => el("option", { value: d.id, text: d.name })))); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        case "return": input("toStep", t("toStep"), el("select", { name: "toStep" }, ...action.choices.map((c) => el("option", { value: c, text: stepName(c, definitionOf(item.definition)) })))); input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        case "report": input("text", t("text"), el("input", { name: "text", required: true })); break;
        case "withdraw": input("reason", t("reason"), el("input", { name: "reason", required: true })); break;
        default: break;
      }
      form.append(el("button", { type: "submit", text: t("submit") }));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const data = new FormData(form);
        const body = { step: action.step, outcome: action.outcome || undefined, assignment: action.assignment || undefined, version: item.version, fields: {} };
        for (const name of inputs) {
          const value = data.get(name);
          if (value === null || value === "") continue;
          if (name.startsWith("field:")) body.fields[name.slice(6)] = String(value);
          else body[name] = name === "workingDays" ? Number(value) : String(value);
        }
        try {
          await api(`/api/items/${item.id}/actions/${action.action}`, { method: "POST", body });
          await showItem(item.id);
          $("action-error").textContent = "";
        } catch (error) {
          $("action-error").textContent = error.message;
        }
      });
      box.append(el("details", { class: "action" }, el("summary", { text: title }), form));
    }
  }

  // --- plan imports (supervisors) -------------------------------------------------------------------------------

  const maxPlanBytes = 10 * 1024 * 1024;
  // The import shown: confirming it needs its id.
  let currentImport = null;

  const isSupervisor = () => !!state.user && state.user.role === "supervisor";
  const dateTime = (at) => new Date(at).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB");

  // A span as the server sends it ({ count, unit, noRoll }) in words.
  const spanKeys = { "working-days": "limitWorkingDays", "calendar-days": "limitCalendarDays", months: "limitMonths", hours: "limitHours", minutes: "limitMinutes" };

  function spanWords(span) {
    const key = span.unit === "months" && span.count === 1 ? "limitMonth" : spanKeys[span.unit];
    const words = key ? t(key, span.count) : `${span.count} ${span.unit}`;
    return span.noRoll ? `${words}${t("noRoll")}` : words;
  }

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
    if (`layout.${layout}` in texts.zh) return t(`layout.${layout}`);
    const word = /^Word (\w+)$/.exec(layout);
    return word && `layout.${word[1]}` in texts.zh ? `Word ${t(`layout.${word[1]}`)}` : layout;
  }

  async function showImports(id) {
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
      renderImport(answer.href && answer.kind === "import-confirm" ? await followJob(answer.href, error) : answer);
      await loadImportList();
    } catch (problem) {
      // 422 names the units no department matches; 409 says who confirmed it first.
      if (problem.status !== 401) error.textContent = problem.message;
    } finally {
      button.disabled = false;
    }
  }

  // Reads a background job until it is done, saying how far it has come in `line`; its result, or its reason as a Problem.
  async function followJob(href, line) {
    for (;;) {
      const job = await api(href);
      if (job.status === "succeeded") {
        line.textContent = "";
        return job.result;
      }
      if (job.status === "failed" || job.status === "deleted") throw new Problem(422, { detail: job.error || t("jobFailed") });
      line.textContent = job.progress && job.progress.total ? `${t("jobRunning")} ${job.progress.done} / ${job.progress.total}` : t("jobQueued");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
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
        ? el("a", { href: `/items/${row.itemId}`, "data-item": row.itemId, text: row.title, onclick: (e) => { e.preventDefault(); navigate(`/items/${row.itemId}`); } })
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

  async function loadImportList() {
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
      const open = el("a", { href: `/imports/${i.id}`, text: i.fileName, onclick: (e) => { e.preventDefault(); navigate(`/imports/${i.id}`); } });
      const number = (n) => el("td", { class: "num", text: n === null ? "—" : String(n) });
      body.append(el("tr", { "data-import": i.id, "aria-current": i.id === shown ? "true" : null },
        el("td", {}, el("span", { class: `status status-${i.status}`, text: t(`status.${i.status}`) })),
        el("td", {}, open), el("td", { text: i.planName }), el("td", { text: i.uploadedBy }), el("td", { text: dateTime(i.uploadedAt) }),
        number(i.items), number(i.taskRows), number(i.unknownUnits), number(i.warnings), number(i.created)));
    }
  }

  // --- reports (统计考核) ---------------------------------------------------------------------------------------

  // The figures every report table shows, in order; the four lights at the period's end carry their symbol and word.
  const figureColumns = [
    { key: "received" }, { key: "completedOnTime" }, { key: "completedLate" }, { key: "onTimeRate", format: "rate" },
    { key: "openGreen", light: "green" }, { key: "openYellow", light: "yellow" }, { key: "openRed", light: "red" }, { key: "openSeriouslyOverdue", light: "serious" },
    { key: "averageWorkingDays", format: "mean" }, { key: "p90WorkingDays" }, { key: "extensions" }, { key: "pauses" }, { key: "returns" }, { key: "lateCorrections" },
  ];
  const blank = "—";
  const percent = (rate) => (rate === null || rate === undefined ? blank : `${(100 * rate).toFixed(1)}%`);
  const figureText = (column, value) => {
    if (value === null || value === undefined) return blank;
    if (column.format === "rate") return percent(value);
    return column.format === "mean" ? value.toFixed(1) : String(value);
  };
  // Scores as the server writes them (at most two decimals, no trailing zeros); points with their sign.
  const scoreText = (score) => String(Math.round(score * 100) / 100);
  const pointsText = (points) => (points > 0 ? `+${scoreText(points)}` : scoreText(points));

  // The period asked for: the address's (/reports?from=&to=), or the server's default (the 1st of this month to today).
  function addressPeriod() {
    const q = new URLSearchParams(location.search);
    return { from: q.get("from") || "", to: q.get("to") || "" };
  }

  function periodQuery(period, extra = {}) {
    const q = new URLSearchParams();
    if (period.from) q.set("from", period.from);
    if (period.to) q.set("to", period.to);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q;
  }

  async function showReports() {
    $("circulation-form").hidden = !isSupervisor();
    await Promise.all([loadReport(addressPeriod(), true), loadCirculations()]);
  }

  function refreshReports() {
    return Promise.all([loadReport(addressPeriod(), false), loadCirculations()]);
  }

  // A period the server refuses (not a day, or ending before it starts) is said with its reason; the figures of the
  // period last shown stay, headed by that period. Only the latest request is shown: a live refresh of the previous
  // period answering after a new period was chosen is dropped.
  let reportRequest = 0;
  async function loadReport(period, fillInputs) {
    const error = $("reports-error");
    const form = $("period-form");
    const request = ++reportRequest;
    try {
      const report = await api(`/api/reports/departments?${periodQuery(period)}`);
      if (request !== reportRequest) return;
      error.textContent = "";
      state.reports.data = report;
      if (fillInputs) { form.elements.from.value = report.from; form.elements.to.value = report.to; }
      renderReports();
    } catch (problem) {
      if (problem.status === 401) throw problem;
      if (request !== reportRequest) return;
      error.textContent = problem.message;
      if (fillInputs) { form.elements.from.value = period.from; form.elements.to.value = period.to; }
    }
  }

  function applyPeriod(from, to) {
    const path = `/reports?${periodQuery({ from, to })}`;
    if (location.pathname + location.search !== path) history.pushState(null, "", path);
    route().catch(showError);
  }

  // Quick periods by the browser's calendar (the board is read in the office's zone): this month, this quarter and
  // this year up to today, and last month whole.
  function quickPeriod(which) {
    const now = new Date();
    const [year, month] = [now.getFullYear(), now.getMonth()];
    const day = (y, m, d) => {
      const date = new Date(y, m, d);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
    };
    const today = day(year, month, now.getDate());
    switch (which) {
      case "last-month": return [day(year, month - 1, 1), day(year, month, 0)];
      case "this-quarter": return [day(year, month - (month % 3), 1), today];
      case "this-year": return [day(year, 0, 1), today];
      default: return [day(year, month, 1), today];
    }
  }

  function renderReports() {
    const report = state.reports.data;
    if (!report) return;
    const card = $("report-card");
    card.dataset.from = report.from;
    card.dataset.to = report.to;
    $("report-period").textContent = t("periodRange", report.from, report.to);
    const f = report.totals;
    $("report-summary").textContent = t("summary", f.received, f.completedOnTime, f.completedLate, percent(f.onTimeRate), f.open, f.openRed, f.openSeriouslyOverdue);
    renderTabs();
    renderReportDepartments();
    const workflowName = (row) => (state.lang === "zh" ? row.name : (definitionOf(row.key) || {}).titleEn || row.name);
    renderReportRows("report-workflows", report.workflows, ["workflow"], (row) => [workflowName(row)]);
    renderReportRows("report-plans", report.plans, ["plan"], (row) => [row.name]);
    // A plan item's key is "plan#item".
    renderReportRows("report-items", report.planItems, ["plan", "planItem"], (row) => {
      const at = row.key.lastIndexOf("#");
      return at < 0 ? [row.name, blank] : [row.key.slice(0, at), row.key.slice(at + 1) || blank];
    });
    for (const link of document.querySelectorAll("#exports a[data-export]")) {
      link.href = `/api/reports/${link.dataset.export}?${periodQuery(report, link.dataset.table ? { table: link.dataset.table } : {})}`;
    }
    $("exports-period").textContent = t("exportsPeriod", report.from, report.to);
    $("circulation-period").textContent = t("circulationPeriod", report.from, report.to);
  }

  function renderTabs() {
    for (const tab of document.querySelectorAll("#report-card [role=tab]")) {
      const selected = tab.dataset.tab === state.reports.tab;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !selected;
    }
  }

  function selectTab(name, focus) {
    state.reports.tab = name;
    renderTabs();
    if (focus) $(`tab-${name}`).focus();
  }

  // Headings over two rows: the lights at the period's end grouped under one heading, every other column spanning
  // both. The department table sorts on its on-time rate.
  function figureHead(head, leading, trailing, sortable) {
    const top = el("tr", {}, ...leading);
    const lights = el("tr");
    const lit = figureColumns.filter((c) => c.light);
    for (const c of figureColumns) {
      if (c === lit[0]) top.append(el("th", { class: "group", scope: "colgroup", colspan: String(lit.length), text: t("openAtEnd") }));
      if (c.light) lights.append(el("th", { class: "num", scope: "col", text: `${symbols[c.light]} ${t(c.light)}` }));
      else if (sortable && c.key === "onTimeRate") top.append(reportSortHead("onTimeRate", t("fig.onTimeRate"), true));
      else top.append(el("th", { class: "num", scope: "col", rowspan: "2", text: t(`fig.${c.key}`) }));
    }
    top.append(...trailing);
    head.append(top, lights);
  }

  function reportSortHead(key, label, numeric) {
    const sort = state.reports.sort;
    const th = el("th", { class: numeric ? "num" : null, scope: "col", rowspan: "2", "data-sort": key },
      el("button", {
        type: "button", class: "sort", text: label,
        onclick: () => { state.reports.sort = { key, dir: sort.key === key ? -sort.dir : key === "name" ? 1 : -1 }; renderReportDepartments(); },
      }));
    if (sort.key === key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
    return th;
  }

  const figureCells = (figures) => figureColumns.map((c) => el("td", {
    class: c.light && figures[c.key] > 0 ? `num light-${c.light}` : "num", "data-figure": c.key, text: figureText(c, figures[c.key]),
  }));

  // Departments in a tree as on the board; a department whose parent the caller does not see is a root.
  function reportTree(departments) {
    const byId = new Map(departments.map((d) => [d.id, { row: d, children: [] }]));
    const roots = [];
    for (const node of byId.values()) {
      const parent = node.row.parentId !== null ? byId.get(node.row.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  // A department with departments under it shows its total with them; one without, its own figures (the same).
  const shownFigures = (node) => (node.children.length > 0 ? node.row.total : node.row.own);

  function sortReportNodes(nodes) {
    const { key, dir } = state.reports.sort;
    const value = (node) => (key === "name" ? node.row.name : key === "score" ? node.row.score.total : shownFigures(node).onTimeRate ?? -1);
    return [...nodes].sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      return (typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y) * dir || a.row.name.localeCompare(b.row.name, "zh-CN");
    });
  }

  function renderReportDepartments() {
    const report = state.reports.data;
    const table = $("report-departments");
    figureHead(clear(table.tHead), [reportSortHead("name", t("department"), false)], [reportSortHead("score", t("score"), true)], true);
    const span = String(figureColumns.length + 2);
    const body = clear(table.tBodies[0]);
    if (report.departments.length === 0) body.append(el("tr", {}, el("td", { colspan: span, class: "muted", text: t("noFigures") })));
    const expanded = state.reports.expanded;
    const addRows = (nodes, depth) => {
      for (const node of sortReportNodes(nodes)) {
        const d = node.row;
        const hasChildren = node.children.length > 0;
        const open = expanded.has(d.id) || (depth === 0 && !expanded.has(-d.id));
        const name = el("td", { class: `dept indent-${Math.min(depth, 3)}` });
        if (hasChildren) {
          name.append(el("button", {
            type: "button", class: "toggle", "aria-expanded": open ? "true" : "false", "aria-label": open ? t("collapse") : t("expand"), text: open ? "▾" : "▸",
            onclick: () => {
              if (open) { expanded.delete(d.id); if (depth === 0) expanded.add(-d.id); } else { expanded.add(d.id); expanded.delete(-d.id); }
              renderReportDepartments();
            },
          }));
        }
        name.append(document.createTextNode(d.name));
        const shown = state.reports.breakdown === d.id;
        const score = el("button", {
          type: "button", class: "count score", text: scoreText(d.score.total), "aria-label": t("showScore", d.name),
          "aria-expanded": shown ? "true" : "false", "aria-controls": shown ? `breakdown-${d.id}` : null,
          onclick: () => { state.reports.breakdown = shown ? null : d.id; renderReportDepartments(); },
        });
        body.append(el("tr", { "data-department": d.id, "data-figures": hasChildren ? "total" : "own", "data-depth": depth },
          name, ...figureCells(shownFigures(node)), el("td", { class: "num", "data-figure": "score" }, score)));
        if (shown) body.append(scoreBreakdown(d, span));
        if (hasChildren && open) {
          // The department's own assignments, so that its rows below add up to its total.
          body.append(el("tr", { class: "own-row", "data-own": d.id },
            el("td", { class: `dept indent-${Math.min(depth + 1, 3)}`, text: t("ownRow") }), ...figureCells(d.own), el("td")));
          addRows(node.children, depth + 1);
        }
      }
    };
    addRows(reportTree(report.departments), 0);
    clear(table.tFoot).append(el("tr", {}, el("td", { text: t("total") }), ...figureCells(report.totals), el("td")));
  }

  // The score line by line: the start, each rule (in the page's language) with its count and points, and the total,
  // which the rules' floor and ceiling may have held.
  function scoreBreakdown(d, span) {
    const score = d.score;
    const description = (line) => (state.lang === "zh" ? line.descriptionZh : line.descriptionEn);
    const sum = score.lines.reduce((total, line) => total + line.points, score.start);
    const held = Math.abs(sum - score.total) > 1e-9;
    const lines = el("table", { class: "compact score-lines" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("rule") }), el("th", { class: "num", scope: "col", text: t("count") }), el("th", { class: "num", scope: "col", text: t("points") }))),
      el("tbody", {},
        el("tr", { "data-line": "start" }, el("td", { text: t("startScore") }), el("td", { class: "num" }), el("td", { class: "num", "data-start": score.start, text: scoreText(score.start) })),
        score.lines.map((line) => el("tr", { "data-rule": line.rule },
          el("td", { class: "rule", text: description(line) }),
          el("td", { class: "num", "data-count": line.count, text: String(line.count) }),
          el("td", { class: `num${line.points < 0 ? " minus" : line.points > 0 ? " plus" : ""}`, "data-points": line.points, text: pointsText(line.points) })))),
      el("tfoot", {}, el("tr", {}, el("td", { text: `${t("finalScore")}${held ? t("clamped") : ""}` }), el("td"), el("td", { class: "num", "data-total": score.total, text: scoreText(score.total) }))));
    return el("tr", { class: "breakdown", id: `breakdown-${d.id}`, "data-breakdown": d.id },
      el("td", { colspan: span },
        el("p", { class: "muted", text: `${t("showScore", d.name)}　${t("rulesName", state.reports.data.rules)}` }), lines));
  }

  function renderReportRows(id, rows, names, cells) {
    const table = $(id);
    figureHead(clear(table.tHead), names.map((k) => el("th", { scope: "col", rowspan: "2", text: t(k) })), [], false);
    const body = clear(table.tBodies[0]);
    if (rows.length === 0) body.append(el("tr", {}, el("td", { colspan: String(names.length + figureColumns.length), class: "muted", text: t("noFigures") })));
    for (const row of rows) body.append(el("tr", { "data-key": row.key }, ...cells(row).map((text) => el("td", { text })), ...figureCells(row.figures)));
  }

  // --- circulations (通报) ---

  async function loadCirculations() {
    try {
      state.reports.circulations = await api("/api/reports/circulations");
      renderCirculations();
    } catch (problem) {
      if (problem.status === 401) throw problem;
      $("circulation-error").textContent = problem.message;
    }
  }

  function renderCirculations() {
    const table = $("circulations");
    const heads = [["circulationNo", true], ["circulationKind"], ["office"], ["period"], ["generatedAt"], ["generatedBy"],
      ["fig.received", true], ["fig.completedOnTime", true], ["fig.completedLate", true], ["fig.onTimeRate", true], ["open", true], ["red", true], ["printable"]];
    clear(table.tHead).append(el("tr", {}, ...heads.map(([k, numeric]) => el("th", { class: numeric ? "num" : null, scope: "col", text: k === "red" ? `${symbols.red} ${t("red")}` : t(k) }))));
    const body = clear(table.tBodies[0]);
    const list = state.reports.circulations;
    if (list.length === 0) body.append(el("tr", {}, el("td", { colspan: String(heads.length), class: "muted", text: t("noCirculations") })));
    const number = (n) => el("td", { class: "num", text: String(n) });
    for (const c of list) {
      body.append(el("tr", { "data-circulation": c.id, "data-kind": c.kind, "aria-current": c.id === (state.reports.made || {}).id ? "true" : null },
        number(c.id), el("td", { text: t(`kind.${c.kind}`) }), el("td", { text: c.office }), el("td", { text: t("periodRange", c.from, c.to) }),
        el("td", { text: dateTime(c.generatedAt) }), el("td", { text: c.generatedBy === "system" ? t("monthlyBy") : c.generatedBy }),
        number(c.totals.received), number(c.totals.completedOnTime), number(c.totals.completedLate),
        el("td", { class: "num", text: percent(c.totals.onTimeRate) }), number(c.totals.open), number(c.totals.openRed),
        el("td", {}, el("a", { href: `/circulations/${c.id}`, target: "_blank", rel: "noopener", "data-print": c.id, text: t("printable") }))));
    }
    const made = state.reports.made;
    $("circulation-result").textContent = !made ? "" : made.send ? t("circulationSent", made.id, made.notices) : t("circulationMade", made.id);
  }

  // Supervisors generate one for the period shown (not what may be typed but not yet applied).
  async function generateCirculation() {
    const report = state.reports.data;
    if (!report) return;
    const error = $("circulation-error");
    const button = $("circulation-generate");
    const send = $("circulation-send").checked;
    error.textContent = "";
    button.disabled = true;
    try {
      const made = await api("/api/reports/circulations", { method: "POST", body: { from: report.from, to: report.to, send } });
      state.reports.made = { id: made.circulation.id, notices: made.notices, send };
      $("circulation-send").checked = false;
      await loadCirculations();
    } catch (problem) {
      if (problem.status !== 401) error.textContent = problem.message;
    } finally {
      button.disabled = false;
    }
  }

  function showError(error) {
    if (error && error.status === 401) return;
    console.error(error);
  }

  // --- wiring ---------------------------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem("supervision.lang", state.lang);
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
    $("filters").addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      state.filters = Object.fromEntries([...data.entries()].filter(([, v]) => v !== ""));
      if (state.filters.light || state.filters.department || state.filters.text) {
        const department = state.filters.department ? Number(state.filters.department) : null;
        const row = department ? state.board.departments.find((r) => r.departmentId === department) : null;
        state.list = { department, departmentName: row ? row.department : t("allDepartments"), subtree: true, light: state.filters.light || "open", page: 1 };
      }
      refreshBoard().catch(showError);
    });
    $("filters").addEventListener("reset", () => {
      state.filters = {};
      state.list = null;
      $("list-card").hidden = true;
      setTimeout(() => refreshBoard().catch(showError), 0);
    });
    $("list-close").addEventListener("click", () => { state.list = null; $("list-card").hidden = true; });
    $("prev").addEventListener("click", () => { state.list.page -= 1; loadList().catch(showError); });
    $("next").addEventListener("click", () => { state.list.page += 1; loadList().catch(showError); });
    wireMenu();
    for (const link of [$("home"), $("back"), ...document.querySelectorAll("#imports-view a.back, #reports-view a.back")]) link.addEventListener("click", (e) => { e.preventDefault(); navigate("/"); });
    $("nav-imports").addEventListener("click", (e) => { e.preventDefault(); navigate("/imports"); });
    $("nav-reports").addEventListener("click", (e) => { e.preventDefault(); navigate("/reports"); });
    $("period-form").addEventListener("submit", (e) => {
      e.preventDefault();
      applyPeriod(e.target.elements.from.value, e.target.elements.to.value);
    });
    for (const button of document.querySelectorAll("#period-form [data-period]")) {
      button.addEventListener("click", () => {
        const [from, to] = quickPeriod(button.dataset.period);
        const form = $("period-form");
        form.elements.from.value = from;
        form.elements.to.value = to;
        applyPeriod(from, to);
      });
    }
    const tabs = [...document.querySelectorAll("#report-card [role=tab]")];
    for (const tab of tabs) {
      tab.addEventListener("click", () => selectTab(tab.dataset.tab, false));
      // Arrow keys move between tabs, as in a tab list.
      tab.addEventListener("keydown", (e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (step === 0) return;
        e.preventDefault();
        selectTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length].dataset.tab, true);
      });
    }
    $("circulation-form").addEventListener("submit", (e) => { e.preventDefault(); generateCirculation().catch(showError); });
    $("import-form").addEventListener("submit", (e) => { e.preventDefault(); uploadPlan(e.target).catch(showError); });
    $("import-confirm").addEventListener("click", () => confirmImport().catch(showError));
    window.addEventListener("popstate", () => route().catch(showError));
    start().catch(showError);
  });

})();
