using Mediator;
using Supervision.Engine.Import;
using Supervision.Engine.Workflows;
using Supervision.Host.Import;
using Supervision.Host.Items;
using Supervision.Host.People;

namespace Supervision.Host.Demo;

/// <summary>
/// <c>--demo</c>: a small city to look at, created once: a government office over bureaus and a district, people in
/// each role with passwords and API tokens, disclosure requests received over the past weeks and moved along their
/// steps (so the board shows every light, pauses, extensions and finished ones), and supervision tasks assigned to
/// several bureaus, the project's sample plan (seeds/plans) imported as a supervisor uploads it, and last month's
/// circulation (通报). Everything goes through the same commands as real use (the directory loaded, people added,
/// tokens made, items registered and acted on, the month circulated), so histories are real.
/// </summary>
internal sealed class DemoData(
    DepartmentStore departments,
    Actors actors,
    ISender sender,
    Supervision.Host.Escalation.LightDailySnapshots daily,
    ImportStore imports,
    TimeProvider clock,
    ILogger<DemoData> logger) : IHostedService
{
    public const string Password = "demo-password";
    private const string Office = "演示市人民政府办公室";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await departments.FindByNameAsync(Office, cancellationToken) is not null)
        {
            Console.WriteLine($"Demo data is already present. Sign in as zhao (supervisor), zhang (handler), wang (lead) or admin with the password '{Password}'. "
                + "API tokens were printed when the demo was created; make new ones with: tokens create --user zhao");
            return;
        }

        // The directory as a directory file would give it, loaded by the same command: departments under their
        // parents, the short names plans use (市司法局, 市卫健委) as aliases so the sample plan's units match, and the
        // groups plans name.
        (string Name, string Alias)[] bureaus = [("演示市司法局", "司法局"), ("演示市教育局", "教育局"), ("演示市自然资源局", "自然资源局"), ("演示市卫生健康委员会", "卫健委")];
        var directory = new DirectoryContents(
            [
                new DirectoryEntry(Office, ["演示市政府办", "市政府办公室"], null),
                .. bureaus.Select(b => new DirectoryEntry(b.Name, [b.Alias, "市" + b.Alias], Office)),
                new DirectoryEntry("演示一区人民政府办公室", [], Office),
                new DirectoryEntry("演示一区司法局", [], "演示一区人民政府办公室"),
            ],
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["市政府各部门"] = bureaus.Select(b => b.Name).ToList(),
                ["各区政府"] = ["演示一区人民政府办公室"],
            });
        await sender.Send(new LoadDirectory(directory), cancellationToken);
        var ids = (await departments.ListAsync(cancellationToken)).ToDictionary(d => d.Name, d => d.Id);

        var people = new (string Login, string Name, string Department, string Role)[]
        {
            ("zhao", "赵敏", Office, "supervisor"),
            ("admin", "系统管理员", Office, "admin"),
            ("zhang", "张伟", "演示市司法局", "handler"),
            ("wang", "王强", "演示市司法局", "lead"),
            ("li", "李娜", "演示市教育局", "handler"),
            ("sun", "孙丽", "演示市自然资源局", "handler"),
            ("zhou", "周杰", "演示市卫生健康委员会", "handler"),
            ("wu", "吴刚", "演示一区司法局", "handler"),
        };
        foreach (var p in people)
        {
            await sender.Send(new AddUser(p.Login, p.Role, p.Department, p.Name, Password, PasswordIsTheirs: true), cancellationToken);
        }

        await RequestsAsync(ids, cancellationToken);
        await TasksAsync(cancellationToken);
        await PlanAsync(cancellationToken);

        // Last month's circulation (通报), as the job on the 1st makes it, so the reports page has one to show.
        await sender.Send(new Supervision.Host.Reports.IssueMonthlyCirculations(), cancellationToken);

        // Four weeks of the trend chart, as the lights of these items stood each day since they were received.
        await daily.ReconstructAsync(28, cancellationToken);

        Console.WriteLine($"Demo data created. Sign in with the password '{Password}' as:");
        foreach (var p in people)
        {
            var (_, token) = await sender.Send(new CreateToken(p.Login, "demo"), cancellationToken);
            Console.WriteLine($"  {p.Login,-6} {p.Role,-10} {p.Department,-14} API token: {token}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RequestsAsync(Dictionary<string, long> ids, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var handlers = new[] { ("zhang", "演示市司法局"), ("li", "演示市教育局"), ("sun", "演示市自然资源局"), ("zhou", "演示市卫生健康委员会"), ("wu", "演示一区司法局") };
        var subjects = new[] { "行政复议案件统计", "学校食堂检查结果", "土地征收批复文件", "医疗机构处罚决定", "执法人员名单", "专项资金使用情况", "规划许可证", "疫苗采购合同" };
        var random = new Random(20261122);
        for (var i = 0; i < 40; i++)
        {
            var (login, department) = handlers[i % handlers.Length];
            var actor = await actors.ForAsync(login, ct);
            var received = today.AddDays(-random.Next(0, 45));
            if (i % 8 == 4)
            {
                // Extensions are asked for while the period runs (article 33): these were received in the last ten days.
                received = today.AddDays(-(i % 10));
            }

            var fields = new Dictionary<string, string>
            {
                ["channel"] = new[] { "online", "post", "in-person", "letter", "fax" }[random.Next(5)],
                ["receivedOn"] = received.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                ["applicant"] = $"申请人{i + 1}",
                ["content"] = $"申请公开{subjects[i % subjects.Length]}",
            };
            var item = await sender.Send(new RegisterRequest(actor, $"申请公开{subjects[i % subjects.Length]}（{i + 1}）", ids[department].ToString(System.Globalization.CultureInfo.InvariantCulture), fields, "disclosure-request"), ct);
            try
            {
                switch (i % 8)
                {
                    case 0:
                        break;
                    case 1:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), null), ct);
                        break;
                    case 2:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), null), ct);
                        item = await sender.Send(new PauseClock(item.Id, actor, null, "third-party-consultation", "征求第三方意见", null, null), ct);
                        break;
                    case 3:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "correction-requested", null, new Dictionary<string, string>(), null), ct);
                        break;
                    case 4:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), null), ct);
                        // A handler asks (article 33); in the justice bureau its lead approves, elsewhere the request waits.
                        item = await sender.Send(new ExtendLimit(item.Id, actor, null, 10, "需调取档案", null, null), ct);
                        if (department == "演示市司法局")
                        {
                            item = await sender.Send(new ApproveExtension(item.Id, await actors.ForAsync("wang", ct), null, null), ct);
                        }

                        break;
                    case 5:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), null), ct);
                        item = await sender.Send(new CompleteStep(item.Id, actor, "handle", "ready-to-reply", null, new Dictionary<string, string>(), null), ct);
                        break;
                    default:
                        item = await sender.Send(new CompleteStep(item.Id, actor, "review", "accepted", null, new Dictionary<string, string>(), null), ct);
                        item = await sender.Send(new CompleteStep(item.Id, actor, "handle", "ready-to-reply", null, new Dictionary<string, string>(), null), ct);
                        await sender.Send(new CompleteStep(item.Id, actor, "reply", i % 2 == 0 ? "disclosed" : "already-public", null,
                            new Dictionary<string, string> { ["replyDate"] = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["delivery"] = "online" }, null), ct);
                        break;
                }
            }
            catch (WorkflowRefusedException e)
            {
                logger.LogInformation("Demo request {Item} stays where it is: {Reason}", item.Id, e.Message);
            }
        }
    }

    private async Task TasksAsync(CancellationToken ct)
    {
        var zhao = await actors.ForAsync("zhao", ct);
        var year = clock.GetUtcNow().Year;
        var tasks = new (string Title, string Lead, string Responsible, string Deadline)[]
        {
            ("推进行政执法信息公开", "演示市司法局", "演示市教育局、演示市自然资源局", $"month-end {year}-12"),
            ("做好重大建设项目批准和实施信息公开", "演示市自然资源局", "演示市卫生健康委员会", "20 working days"),
            ("加强政策解读和回应关切", "演示市卫生健康委员会", "演示市司法局", "长期坚持"),
        };
        var number = 1;
        foreach (var task in tasks)
        {
            var fields = new Dictionary<string, string>
            {
                ["plan"] = $"{year}年政务公开工作要点",
                ["planItem"] = (number++).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["content"] = task.Title,
                ["leadDepartments"] = task.Lead,
                ["responsibleDepartments"] = task.Responsible,
                ["deadline"] = task.Deadline,
                ["reportCadence"] = "monthly",
            };
            var item = await sender.Send(new RegisterTask(zhao, task.Title, fields, "supervision-task"), ct);
            await sender.Send(new CompleteStep(item.Id, zhao, "assign", "assigned", null, new Dictionary<string, string>(), null), ct);
        }
    }

    // The project's sample plan (seeds/plans): the Word document, with its prose and its table, uploaded and confirmed
    // as a supervisor would on the board (its deadlines read for this year); the workbook of the same table uploaded
    // and left for a look at the dry run (confirming it finds every task already imported).
    private async Task PlanAsync(CancellationToken ct)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "seeds", "plans");
        var zhao = await actors.ForAsync("zhao", ct);
        var year = clock.GetUtcNow().Year;
        var groups = await departments.GroupsAsync(ct);
        var known = await departments.ListAsync(ct);
        foreach (var (file, confirm) in new[] { ("sample-plan.docx", true), ("sample-plan.xlsx", false) })
        {
            var content = await File.ReadAllBytesAsync(Path.Combine(folder, file), ct);
            var read = PlanFiles.Read(content, file, year);
            var planName = read.Plan.Title is { } title ? Engine.Import.PlanReader.PlanName(title) : file;
            var report = PlanReport.Of(file, read, new Engine.Import.UnitDirectory(known, groups));
            var stored = await imports.AddAsync(file, content, year, planName, zhao.Login, System.Text.Json.JsonSerializer.Serialize(report, PlanImports.OutcomeJson), ct);
            if (confirm)
            {
                var outcome = await sender.Send(new ImportPlan(zhao, read.Plan, planName, new Dictionary<string, IReadOnlyList<string>>(), CreateUnits: false, stored.Id), ct);
                logger.LogInformation("Demo plan {File}: {Created} tasks created{Refused}", file, outcome.Created, outcome.Refused.Count > 0 ? "; refused: " + string.Join("; ", outcome.Refused) : string.Empty);
            }
        }
    }
}
