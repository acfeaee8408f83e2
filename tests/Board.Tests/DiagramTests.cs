using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// The workflow diagram (<c>diagram.js</c>) in real Chromium: on an item's page, the item's workflow with every step
/// and only the step it stands at marked; and for every definition the server lists, in both languages, a box per
/// step and an arrow per outcome, no two boxes overlapping, no outcome's label over a box or another label.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class DiagramTests(BoardFixture fixture)
{
    private static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 150_000, PollingInterval = 100 };

    [Fact]
    public async Task Diagram_on_an_items_page_has_every_step_of_its_workflow_and_marks_only_the_current_one()
    {
        // A request standing aside the main line if the demo has one (awaiting correction), else one being handled.
        var id = await fixture.ScalarAsync(
            "SELECT id FROM items WHERE kind = 'request' AND closed_at IS NULL AND step IN ('await-correction', 'handle') ORDER BY step = 'await-correction' DESC, id LIMIT 1");
        var step = await fixture.TextAsync("SELECT step FROM items WHERE id = @id", new { id });
        var definition = await fixture.TextAsync("SELECT definition_id FROM items WHERE id = @id", new { id });
        var steps = await StepsOfAsync(definition!);

        var page = await fixture.SignedInAsync("zhao");
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // The page has no favicon (the browser asks anyway): not this test's business.
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                errors.Add($"{message.Text} {message.Location}");
            }
        };
        await page.GotoAsync($"/items/{id}");
        await page.WaitForSelectorAsync("#diagram-card:not([hidden]) svg.workflow-diagram g.step");

        var drawn = await page.Locator("#diagram svg g.step").EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.step)");
        Assert.Equal(steps.Order(StringComparer.Ordinal), drawn.Order(StringComparer.Ordinal));
        var current = page.Locator("#diagram svg g.step.current");
        Assert.Equal(1, await current.CountAsync());
        Assert.Equal(step, await current.GetAttributeAsync("data-step"));
        // Not by colour alone: the current step says so in words, and the diagram's title names it.
        Assert.Contains("当前环节", await current.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#diagram svg text.marker").CountAsync());
        Assert.Contains("当前环节", await page.Locator("#diagram svg > title").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("流程图", (await page.Locator("#diagram-card h2").TextContentAsync())?.Trim());
        // Limits said in the page's words from the server's data: the overall limit, the yellow rule, a step's own limit.
        var words = await page.Locator("#diagram svg").TextContentAsync() ?? string.Empty;
        Assert.Contains("总时限：20个工作日", words, StringComparison.Ordinal);
        Assert.Contains("剩余5个工作日时亮黄灯", words, StringComparison.Ordinal);
        Assert.Contains("时限：7个工作日", words, StringComparison.Ordinal);
        Assert.DoesNotContain("working days", words, StringComparison.Ordinal);
        // Drawn under the page's Content-Security-Policy: nothing refused, nothing thrown.
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        await page.Locator("#diagram-card").ScrollIntoViewIfNeededAsync();
        await page.Locator("#diagram-card").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item-diagram.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item-diagram-page.png"), FullPage = true });

        // Switching language draws it again in English, the same step marked.
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#diagram svg g.step.current')?.textContent.includes('current step')", null, Patience);
        Assert.Equal(1, await page.Locator("#diagram svg g.step.current").CountAsync());
        Assert.Equal(step, await page.Locator("#diagram svg g.step.current").GetAttributeAsync("data-step"));
        Assert.Equal("Workflow", (await page.Locator("#diagram-card h2").TextContentAsync())?.Trim());
        await page.Locator("#diagram-card").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item-diagram-en.png") });
        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("() => document.querySelector('#diagram svg g.step.current')?.textContent.includes('当前环节')", null, Patience);

        // On a phone the diagram keeps its size and its card scrolls sideways: it never widens the page's column.
        // Scrolled to show the current step.
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#diagram-card:not([hidden]) svg.workflow-diagram g.step.current");
        var narrow = await page.EvaluateAsync<JsonElement>(@"() => {
            const card = document.querySelector('#diagram-card');
            const box = document.querySelector('#diagram');
            const column = () => card.parentElement.getBoundingClientRect().width;
            const shown = column();
            card.hidden = true;
            const without = column();
            card.hidden = false;
            const frame = box.getBoundingClientRect(), current = box.querySelector('g.step.current').getBoundingClientRect();
            return {
              shown, without, scrolls: box.scrollWidth > box.clientWidth, inView: current.left >= frame.left && current.right <= frame.right,
              svgWidth: box.querySelector('svg').getBoundingClientRect().width, natural: Number(box.querySelector('svg').getAttribute('width')),
            };
        }");
        Assert.True(narrow.GetProperty("shown").GetDouble() <= narrow.GetProperty("without").GetDouble(), narrow.ToString());
        Assert.True(narrow.GetProperty("scrolls").GetBoolean(), narrow.ToString());
        Assert.True(narrow.GetProperty("inView").GetBoolean(), narrow.ToString());
        Assert.Equal(narrow.GetProperty("natural").GetDouble(), narrow.GetProperty("svgWidth").GetDouble(), 1);
        await page.Locator("#diagram-card").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "item-diagram-390.png") });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Diagram_of_every_definition_has_a_box_per_step_and_an_arrow_per_outcome_none_overlapping()
    {
        var page = await fixture.SignedInAsync("zhao");
        // Each definition drawn in each language with each of its steps current, measured in the page.
        var json = await page.EvaluateAsync<string>(@"async () => {
            const { render } = await import('/js/diagram.js');
            const definitions = await (await fetch('/api/definitions')).json();
            const results = [];
            const rect = (e) => { const b = e.getBBox(); return { x1: b.x, y1: b.y, x2: b.x + b.width, y2: b.y + b.height }; };
            const cross = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
            for (const d of definitions) {
              for (const lang of ['zh', 'en']) {
                for (const current of [null, ...d.steps.map((s) => s.id)]) {
                  const svg = render(d, { lang, current });
                  document.body.append(svg);
                  const steps = [...svg.querySelectorAll('g.step')];
                  const boxes = steps.map((g) => ({ id: g.dataset.step, ...rect(g) }));
                  const pills = [...svg.querySelectorAll('g.edge rect.pill')].map((p) => ({ id: p.closest('g.edge').dataset.outcome, ...rect(p) }));
                  const problems = [];
                  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => { if (cross(a, b)) problems.push(`steps ${a.id} and ${b.id} overlap`); }));
                  pills.forEach((p) => boxes.forEach((b) => { if (cross(p, b)) problems.push(`label ${p.id} covers step ${b.id}`); }));
                  pills.forEach((a, i) => pills.slice(i + 1).forEach((b) => { if (cross(a, b)) problems.push(`labels ${a.id} and ${b.id} overlap`); }));
                  for (const s of d.steps) for (const o of s.outcomes) {
                    const found = svg.querySelectorAll(`g.edge[data-from='${s.id}'][data-to='${o.to}'][data-outcome='${o.id}']`).length;
                    if (found !== 1) problems.push(`outcome ${s.id}/${o.id} drawn ${found} times`);
                  }
                  const size = svg.getBoundingClientRect();
                  results.push({
                    definition: d.id, lang, current,
                    steps: steps.length, expectedSteps: d.steps.length,
                    edges: svg.querySelectorAll('g.edge').length, expectedEdges: d.steps.reduce((n, s) => n + s.outcomes.length, 0),
                    marked: [...svg.querySelectorAll('g.step.current')].map((g) => g.dataset.step),
                    title: svg.querySelector(':scope > title')?.textContent || '',
                    width: size.width, height: size.height, viewBox: svg.getAttribute('viewBox'),
                    problems,
                  });
                  svg.remove();
                }
              }
            }
            return JSON.stringify(results);
        }");
        using var results = JsonDocument.Parse(json);
        var definitions = results.RootElement.EnumerateArray().Select(r => r.GetProperty("definition").GetString()).Distinct().ToList();
        Assert.Contains("disclosure-request", definitions);
        Assert.Contains("supervision-task", definitions);
        foreach (var r in results.RootElement.EnumerateArray())
        {
            var what = string.Create(CultureInfo.InvariantCulture, $"{r.GetProperty("definition")} ({r.GetProperty("lang")}, current {r.GetProperty("current")})");
            Assert.True(r.GetProperty("steps").GetInt32() == r.GetProperty("expectedSteps").GetInt32(), $"{what}: steps drawn");
            Assert.True(r.GetProperty("edges").GetInt32() == r.GetProperty("expectedEdges").GetInt32(), $"{what}: outcomes drawn");
            Assert.True(r.GetProperty("problems").GetArrayLength() == 0, $"{what}: {r.GetProperty("problems")}");
            Assert.True(r.GetProperty("width").GetDouble() > 100 && r.GetProperty("height").GetDouble() > 100, $"{what}: {r.GetProperty("width")} x {r.GetProperty("height")}");
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("title").GetString()), $"{what}: no title");
            var current = r.GetProperty("current");
            var marked = r.GetProperty("marked").EnumerateArray().Select(m => m.GetString()).ToList();
            Assert.Equal(current.ValueKind == JsonValueKind.Null ? [] : [current.GetString()], marked);
        }

        // Every definition side by side, for a person to look at.
        await page.EvaluateAsync(@"async () => {
            const { render } = await import('/js/diagram.js');
            const shelf = document.createElement('div');
            shelf.id = 'all-diagrams';
            shelf.className = 'card';
            for (const d of await (await fetch('/api/definitions')).json()) {
              const h = document.createElement('h2');
              h.textContent = `${d.title} · ${d.titleEn}`;
              shelf.append(h, render(d, { lang: 'zh', current: null }));
            }
            document.querySelector('main').prepend(shelf);
        }");
        await page.Locator("#all-diagrams").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "diagrams.png") });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Diagram_shows_names_holding_markup_as_text()
    {
        var page = await fixture.SignedInAsync("zhao");
        var found = await page.EvaluateAsync<JsonElement>(@"async () => {
            const { render } = await import('/js/diagram.js');
            const markup = '<img src=x onerror=window.__xss=1><b id=injected>x</b>';
            const svg = render({
              id: 'markup', version: 1, title: markup, titleEn: markup, start: 'a',
              steps: [
                { id: 'a', name: markup, nameEn: markup, role: 'handler', outcomes: [{ id: 'o', name: markup, nameEn: markup, to: 'b' }] },
                { id: 'b', name: markup, nameEn: markup, terminal: true, outcomes: [] },
              ],
            }, { lang: 'zh', current: 'a' });
            document.body.append(svg);
            const result = { injected: svg.querySelectorAll('img, b, #injected, [onerror]').length, text: [...svg.querySelectorAll(`g.step[data-step='a'] text.name, g.edge text.outcome-name`)].map((t) => t.textContent).join(' '), xss: !!window.__xss };
            svg.remove();
            return result;
        }");

        Assert.Equal(0, found.GetProperty("injected").GetInt32());
        Assert.Contains("<img", found.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("<b id=injected>", found.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(found.GetProperty("xss").GetBoolean());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Diagram_reads_from_the_definitions_their_start_clock_limit_bases_and_clock_effects()
    {
        using var api = await fixture.ApiAsync("zhang");
        using var definitions = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/definitions", UriKind.Relative)));
        var request = definitions.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "disclosure-request");
        var task = definitions.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == "supervision-task");
        JsonElement Step(JsonElement d, string id) => d.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        JsonElement Outcome(JsonElement step, string id) => step.GetProperty("outcomes").EnumerateArray().Single(o => o.GetProperty("id").GetString() == id);

        Assert.Equal("register", request.GetProperty("start").GetString());
        var clock = request.GetProperty("clock");
        Assert.Equal("20 working days", clock.GetProperty("limit").GetString());
        Assert.Equal("remaining 5 working days", clock.GetProperty("yellow").GetString());
        Assert.Equal("5 working days", clock.GetProperty("seriouslyOverdueAfter").GetString());
        Assert.Equal("20 working days", clock.GetProperty("extensionCap").GetString());
        Assert.Contains(clock.GetProperty("pauseReasons").EnumerateArray(), r => r.GetProperty("reason").GetString() == "third-party-consultation" && r.GetProperty("limit").GetString() == "15 working days");
        Assert.Equal(JsonValueKind.Null, task.GetProperty("clock").GetProperty("limit").ValueKind);
        // The same as data, so that no page parses the notation: a span's count and unit, the yellow rule's kind and span.
        var span = clock.GetProperty("limitData").GetProperty("span");
        Assert.Equal(20, span.GetProperty("count").GetInt32());
        Assert.Equal("working-days", span.GetProperty("unit").GetString());
        Assert.False(span.GetProperty("noRoll").GetBoolean());
        var yellow = clock.GetProperty("yellowData");
        Assert.Equal("remaining", yellow.GetProperty("kind").GetString());
        Assert.Equal(5, yellow.GetProperty("remaining").GetProperty("count").GetInt32());
        Assert.Equal(5, clock.GetProperty("seriouslyOverdueAfterWorkingDays").GetInt32());
        Assert.Contains(clock.GetProperty("pauseReasons").EnumerateArray(), r => r.GetProperty("reason").GetString() == "third-party-consultation"
            && r.GetProperty("limitData").GetProperty("span").GetProperty("count").GetInt32() == 15);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("clock").GetProperty("limitData").ValueKind);
        var reviewLimit = Step(request, "review").GetProperty("limitData").GetProperty("span");
        Assert.Equal("working-days", reviewLimit.GetProperty("unit").GetString());

        var review = Step(request, "review");
        Assert.Equal("receipt", review.GetProperty("limitFrom").GetString());
        Assert.Equal("step", Step(request, "await-correction").GetProperty("limitFrom").GetString());
        Assert.Equal("pause awaiting-correction", Outcome(review, "correction-requested").GetProperty("clock").GetString());
        Assert.Equal(JsonValueKind.Null, Outcome(review, "accepted").GetProperty("clock").ValueKind);
        Assert.Equal("restart", Outcome(Step(request, "await-correction"), "corrected").GetProperty("clock").GetString());
        Assert.Equal("stop", Outcome(Step(request, "reply"), "disclosed").GetProperty("clock").GetString());
        Assert.Equal("disclosed", Outcome(Step(request, "reply"), "disclosed").GetProperty("result").GetString());
    }

    private async Task<List<string>> StepsOfAsync(string definition)
    {
        using var api = await fixture.ApiAsync("zhao");
        using var definitions = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/definitions", UriKind.Relative)));
        return definitions.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == definition)
            .GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
    }
}
