using Supervision.Engine.Items;

namespace Supervision.Engine.Tests.Items;

public sealed class CodeTests
{
    [Fact]
    public void Every_light_round_trips_through_its_code()
    {
        foreach (var light in Enum.GetValues<Light>())
        {
            Assert.True(Lights.TryParse(light.Code(), out var parsed));
            Assert.Equal(light, parsed);
        }

        Assert.Equal("done-on-time", Light.DoneOnTime.Code());
    }

    [Fact]
    public void Every_kind_round_trips_through_its_code()
    {
        foreach (var kind in Enum.GetValues<ItemKind>())
        {
            Assert.Equal(kind, ItemKinds.Parse(kind.Code()));
        }
    }

    [Theory]
    [InlineData("Green")]
    [InlineData("amber")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_light_codes_are_not_lights(string? code) => Assert.False(Lights.TryParse(code, out _));

    [Fact]
    public void Reading_an_unknown_kind_says_what_is_expected()
    {
        var error = Assert.Throws<FormatException>(() => ItemKinds.Parse("petition"));
        Assert.Contains("'request' or 'task'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_done_lights_are_closed()
    {
        Assert.Equal([Light.DoneOnTime, Light.DoneLate], Enum.GetValues<Light>().Where(l => l.IsClosed()));
    }
}
