using System.Globalization;
using Microsoft.Playwright;

namespace Supervision.Board.Tests;

/// <summary>
/// The light board shows lights: every count of a light in its colour and shape, readable (WCAG AA contrast), each
/// department's worst light at the start of its row.
/// </summary>
[Trait("Browser", "Chromium")]
[Collection(SharedBoard.Name)]
public sealed class LightColourTests(BoardFixture fixture)
{
    private static readonly Dictionary<string, (string Background, string Ink, string Shape)> Lights = new(StringComparer.Ordinal)
    {
        ["green"] = ("rgb(223, 241, 228)", "rgb(17, 83, 38)", "●"),
        ["yellow"] = ("rgb(255, 239, 184)", "rgb(92, 59, 0)", "▲"),
        ["red"] = ("rgb(250, 220, 217)", "rgb(134, 26, 19)", "■"),
        ["serious"] = ("rgb(109, 15, 10)", "rgb(255, 255, 255)", "✖"),
        ["paused"] = ("rgb(228, 232, 238)", "rgb(49, 58, 70)", "‖"),
    };

    [Fact]
    public async Task Every_count_of_a_light_has_its_colour_and_shape_with_readable_contrast_and_each_row_its_worst_light()
    {
        var page = await fixture.SignedInAsync("zhao");
        page.SetDefaultTimeout(150_000);
        foreach (var (light, (background, ink, shape)) in Lights)
        {
            var count = page.Locator($"#board button.count[data-light={light}]:not(.zero)").First;
            Assert.True(await count.CountAsync() > 0, $"the demo has no {light} count");
            var style = await count.EvaluateAsync<string[]>("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, getComputedStyle(b, '::before').content]; }");
            Assert.Equal((background, ink, $"\"{shape} \""), (style[0], style[1], style[2]));
            Assert.True(Contrast(style[0], style[1]) >= 4.5, $"{light}: contrast {Contrast(style[0], style[1]):0.00}");
            // The number stays the button's text: the shape is drawn, not written.
            Assert.Matches("^[0-9]+$", await count.InnerTextAsync());
        }

        // A count of nothing is grey, whatever its light.
        var zero = page.Locator("#board button.count.zero[data-light=red]").First;
        if (await zero.CountAsync() > 0)
        {
            Assert.Equal("rgba(0, 0, 0, 0)", await zero.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        }

        // Each row's worst light is the worst of its own counts.
        foreach (var row in await page.Locator("#board tbody tr[data-department]").AllAsync())
        {
            async Task<long> Count(string light) => long.Parse(await row.Locator($"button.count[data-light={light}]").InnerTextAsync(), CultureInfo.InvariantCulture);
            var expected = await Count("serious") > 0 ? "serious" : await Count("red") > 0 ? "red" : await Count("yellow") > 0 ? "yellow" : await Count("green") > 0 ? "green" : "none";
            Assert.Equal(expected, await row.GetAttributeAsync("data-light"));
            Assert.Equal(expected, await row.Locator(".worst").GetAttributeAsync("data-light"));
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "board-lights.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_notice_of_a_light_in_the_inbox_carries_that_light()
    {
        // A handler's urgent request turns yellow half a minute after it is registered, and red after a minute: the
        // ladder sends those notices to the department's handlers.
        var page = await fixture.SignedInAsync("zhang");
        page.SetDefaultTimeout(200_000);
        using var zhang = await fixture.ApiAsync("zhang");
        var id = (await BoardFixture.RegisterUrgentRequestAsync(zhang, "紧急件：通知亮灯测试")).GetProperty("id").GetInt64();

        await page.WaitForSelectorAsync("#inbox li[data-light]");
        await BoardFixture.FinishUrgentRequestAsync(zhang, id);
        // The notices inbox: each notice of a light carries it, coloured as the board's, with its shape and word.
        var notices = await page.Locator("#inbox li[data-light]").AllAsync();
        foreach (var notice in notices)
        {
            var light = await notice.GetAttributeAsync("data-light");
            var badge = notice.Locator("span.light").First;
            var shape = Lights[light!].Shape;
            Assert.Contains($"light-{light}", await badge.GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
            Assert.Contains(shape, await badge.InnerTextAsync(), StringComparison.Ordinal);
            var style = await badge.EvaluateAsync<string[]>("b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color]; }");
            Assert.True(Contrast(style[0], style[1]) >= 4.5, $"{light} notice: contrast {Contrast(style[0], style[1]):0.00}");
            Assert.NotEqual("rgba(0, 0, 0, 0)", style[0]);
        }

        await page.Locator("#inbox").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(fixture.Screenshots, "inbox-lights.png") });
        await page.Context.CloseAsync();
    }

    // The WCAG contrast ratio of two computed colours ("rgb(r, g, b)").
    private static double Contrast(string background, string ink)
    {
        static double Luminance(string rgb)
        {
            var parts = rgb[(rgb.IndexOf('(', StringComparison.Ordinal) + 1)..rgb.IndexOf(')', StringComparison.Ordinal)].Split(',').Take(3)
                .Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture) / 255)
                .Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4)).ToArray();
            return (0.2126 * parts[0]) + (0.7152 * parts[1]) + (0.0722 * parts[2]);
        }

        var (a, b) = (Luminance(background), Luminance(ink));
        return (Math.Max(a, b) + 0.05) / (Math.Min(a, b) + 0.05);
    }
}
