using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Supervision.Host.Platform;

/// <summary>
/// What makes the OpenAPI document a contract programs can build on, beyond what the endpoints say of themselves:
/// an operation id and a summary for every operation, the two sign-ins as security schemes (a bearer token, the
/// sign-in cookie) required by every operation but signing in, the problem details answers every operation may give
/// before its endpoint runs (401 and 403 from signing in and roles, 400 for a body that cannot be read, 429), the tags
/// described, the licence, and the server's address without a trailing slash. Each endpoint's own refusals (404, 409,
/// 422, 413) come from the <c>Results&lt;…&gt;</c> union it returns (<see cref="ProblemAnswer"/>).
/// </summary>
internal sealed class OpenApiContract : IOpenApiDocumentTransformer
{
    // "METHOD /path" → (operation id, summary).
    private static readonly Dictionary<string, (string Id, string Summary)> Operations = new(StringComparer.Ordinal)
    {
        ["GET /api/board"] = ("getBoard", "The light board: open work per department by light, on-time rates, the forecast"),
        ["GET /api/board/trends"] = ("getTrends", "Red and yellow per office day, and on-time rates per department"),
        ["POST /api/session"] = ("signIn", "Sign in with a login and password; answers the person and sets the sign-in cookie"),
        ["DELETE /api/session"] = ("signOut", "Sign out (everywhere=true ends every session of the person)"),
        ["GET /api/session"] = ("getSession", "Who is signed in"),
        ["PUT /api/session/password"] = ("changePassword", "Replace one's own password (the current and the new); other sessions end"),
        ["GET /api/admin/departments"] = ("listAdminDepartments", "The department directory with parents and aliases (administrators, supervisors)"),
        ["POST /api/admin/departments"] = ("addDepartment", "Add a department: name, parent (name, alias or id), aliases (administrators)"),
        ["PATCH /api/admin/departments/{id}"] = ("changeDepartment", "Rename, move (never under itself; parent null: to the top) or re-alias a department (administrators)"),
        ["DELETE /api/admin/departments/{id}"] = ("deleteDepartment", "Delete a department nothing refers to; 409 says what does (administrators)"),
        ["GET /api/admin/sign-in-locks"] = ("listSignInLocks", "Logins and client addresses held back after failed sign-ins (administrators)"),
        ["DELETE /api/admin/sign-in-locks"] = ("liftSignInLock", "Lift the wait or lock on a login (login:NAME) or client address (address:IP) (administrators)"),
        ["GET /api/setup"] = ("getSetup", "Whether the office still needs setting up (nobody can sign in yet)"),
        ["POST /api/setup"] = ("setUp", "Set the office up: the setup code from the server's log, the office, the first administrator; signs them in"),
        ["GET /api/admin/users"] = ("listUsers", "People who sign in, by text, role, department and disabled (administrators)"),
        ["POST /api/admin/users"] = ("addUser", "Add a person: login, displayName, role, department, password (they choose their own at first sign-in), email (administrators)"),
        ["PATCH /api/admin/users/{login}"] = ("changeUser", "Change a person's name, role, department, email, disabled or password; sessions end where it matters (administrators)"),
        ["POST /api/admin/users/{login}/sign-out"] = ("signUserOut", "End every sign-in session of a person (administrators)"),
        ["GET /api/admin/users/{login}/tokens"] = ("listUserTokens", "A person's API tokens, never the tokens themselves (administrators)"),
        ["POST /api/admin/users/{login}/tokens"] = ("createUserToken", "Create an API token for a person: answered once, stored only as a hash (administrators)"),
        ["DELETE /api/admin/tokens/{id}"] = ("revokeToken", "Revoke an API token (administrators)"),
        ["GET /api/admin/channels"] = ("listChannels", "Departments' webhook and robot channels with their last delivery and failure (administrators)"),
        ["POST /api/admin/channels"] = ("addChannel", "Add a channel: department, channel (webhook, wecom, dingtalk), address, secret (administrators)"),
        ["PATCH /api/admin/channels/{id}"] = ("changeChannel", "Change a channel's department, kind, address or secret (administrators)"),
        ["DELETE /api/admin/channels/{id}"] = ("deleteChannel", "Remove a channel (administrators)"),
        ["POST /api/admin/channels/{id}/test"] = ("testChannel", "Send a test message over a channel now; answers what the robot or server said (administrators)"),
        ["GET /api/admin/calendars"] = ("listCalendarYears", "Every calendar year with its source (shipped, stored, provisional) and the recent changes (administrators)"),
        ["POST /api/admin/calendars/{year}/notice"] = ("readHolidayNotice", "Preview the State Council's holiday notice (text/plain) and the due days it would move; apply=true stores it (administrators)"),
        ["GET /api/admin/access-log"] = ("readAccessLog", "Every attempt to act through the API, newest first, by user, route, status and time (administrators)"),
        ["GET /api/admin/health"] = ("getHealthSummary", "Database, schema, jobs, the nightly runs, failed notices and the history chain's verification (administrators)"),
        ["POST /api/requests"] = ("registerRequest", "Register a disclosure request (依申请公开) received on a given day"),
        ["POST /api/tasks"] = ("registerTask", "Register a supervision task (督办任务) with its lead and responsible departments"),
        ["GET /api/items"] = ("searchItems", "Find items the caller may see, by kind, department, light, step light, step, due day or text"),
        ["GET /api/display-links"] = ("listDisplayLinks", "Display links for wall screens (administrators; supervisors: of their departments), never their keys"),
        ["POST /api/display-links"] = ("createDisplayLink", "Make a display link for a wall screen: name, department; its key and URL are answered once"),
        ["DELETE /api/display-links/{id}"] = ("revokeDisplayLink", "Revoke a display link: its screen's session ends at once"),
        ["POST /api/display-session"] = ("openDisplaySession", "Trade a display link's key for a read-only session of the light board (the wall page does)"),
        ["GET /api/my/work"] = ("getMyWork", "The caller's own work: items of their department they can act on now, most urgent first, with the actions"),
        ["GET /api/items/{id}"] = ("getItem", "An item with its assignments, history, deadline explanation and what the caller may do now"),
        ["POST /api/items/{id}/actions/{action}"] = ("actOnItem", "Act on an item: complete a step, pause, resume, extend, override, transfer, return, report or withdraw"),
        ["GET /api/departments"] = ("listDepartments", "The departments with their parents and aliases"),
        ["GET /api/definitions"] = ("listDefinitions", "The workflow definitions in force: steps, outcomes, fields and limits"),
        ["GET /api/calendars/{year}"] = ("getCalendarYear", "A year as deadlines count it: holidays and make-up working days, provisional when no notice is loaded"),
        ["PUT /api/calendars/{year}"] = ("putCalendarYear", "Replace a year's holiday arrangement (administrators); 202 with the job recomputing the open items it affects"),
        ["POST /api/board/recount"] = ("recountBoard", "Recount the board's kept counts from the assignments (administrators); 202 with the job"),
        ["POST /api/history/verify"] = ("verifyHistory", "Verify every item's history chain against the latest digest (administrators, supervisors); 202 with the job"),
        ["GET /api/jobs/{id}"] = ("getJob", "A background job handed off with 202: queued, running with progress, succeeded with its result, or failed with the reason"),
        ["GET /api/notices"] = ("listNotices", "The caller's inbox of notices, newest first"),
        ["POST /api/notices/{id}/read"] = ("readNotice", "Mark a notice of the caller's read"),
        ["POST /api/imports"] = ("uploadPlan", "Upload a work plan and preview the tasks read from it (nothing is created)"),
        ["GET /api/imports"] = ("listImports", "Recent plan imports of the caller's office"),
        ["GET /api/imports/{id}"] = ("getImport", "A plan import with its report"),
        ["POST /api/imports/{id}/confirm"] = ("confirmImport", "Create and assign the previewed plan's tasks, once"),
        ["GET /api/reports/departments"] = ("getDepartmentReport", "Statistics and scores per department over a period"),
        ["GET /api/reports/statistics.xlsx"] = ("getStatisticsWorkbook", "The period's statistics as a workbook"),
        ["GET /api/reports/statistics.csv"] = ("getStatisticsCsv", "One table of the period's statistics as CSV"),
        ["GET /api/reports/ledger.xlsx"] = ("getLedgerWorkbook", "The ledger (台账) of the period's items as a workbook"),
        ["GET /api/reports/ledger.csv"] = ("getLedgerCsv", "The ledger (台账) of the period's items as CSV"),
        ["GET /api/reports/circulations"] = ("listCirculations", "Circulations (通报) of the caller's office, newest first"),
        ["POST /api/reports/circulations"] = ("createCirculation", "Write a circulation (通报) for a period and send it"),
        ["GET /api/reports/circulations/{id}"] = ("getCirculation", "A circulation with its figures"),
        ["GET /circulations/{id}"] = ("printCirculation", "A circulation as a printable page"),
    };

    // Operations whose body is text, read by the handler itself (declared here: a consumes filter would answer 415
    // before authorization had refused a caller who may not call it).
    private static readonly Dictionary<string, string> TextBodies = new(StringComparer.Ordinal)
    {
        ["POST /api/admin/calendars/{year}/notice"] = "The State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) as text, UTF-8 or GB18030",
    };

    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["Board"] = "The light board: counts by department and light, forecast and trends.",
        ["Session"] = "Signing in and out with a password (the board); programs use a bearer token instead.",
        ["Items"] = "Disclosure requests and supervision tasks: registering, finding, reading and acting on them.",
        ["Reference"] = "Departments, workflow definitions and the working-day calendar.",
        ["Notices"] = "The caller's inbox.",
        ["Imports"] = "Work plans read into supervision tasks (supervising offices).",
        ["Reports"] = "Statistics, scores, the ledger and circulations.",
        ["Administration"] = "The office's directory and settings, for administrators (supervisors read some).",
        ["Jobs"] = "Long administrative work handed off to a background job (Hangfire), and its state.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A personal API token (sv_…), created with the `tokens create` command.",
        };
        document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "supervision",
            Description = "The sign-in cookie POST /api/session sets (HttpOnly, SameSite=Strict).",
        };

        var anonymous = context.DescriptionGroups.SelectMany(g => g.Items)
            .Where(d => d.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            .Select(d => $"{d.HttpMethod} /{Template(d.RelativePath)}")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>())
            {
                var key = $"{method.Method} {path}";
                if (Operations.TryGetValue(key, out var described))
                {
                    operation.OperationId = described.Id;
                    operation.Summary = described.Summary;
                }

                if (TextBodies.TryGetValue(key, out var text))
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Description = text,
                        Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                    };
                }

                operation.Responses ??= new OpenApiResponses();
                if (anonymous.Contains(key))
                {
                    operation.Security = [];
                }
                else
                {
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("cookie", document)] = [] },
                    ];
                    Problem(operation, "401", "Not signed in, or the token or session is no longer valid");
                    Problem(operation, "403", "The caller's role does not allow this");
                }

                Problem(operation, "400", "Malformed input; the problem names the field");
                Problem(operation, "429", "Too many requests; try again after Retry-After");
                if (path.Contains('{', StringComparison.Ordinal))
                {
                    Problem(operation, "404", "No such resource, or none the caller may know of");
                }
            }
        }

        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        return Task.CompletedTask;
    }

    // "api/items/{id:long}" → "api/items/{id}", "api/session/" → "api/session", as the document writes paths.
    private static string Template(string? relativePath) =>
        System.Text.RegularExpressions.Regex.Replace(relativePath ?? string.Empty, @"\{([^}:=?]+)[^}]*\}", "{$1}").TrimEnd('/');

    private static void Problem(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
        };
    }
}
