using BenchmarkDotNet.Attributes;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;

namespace Supervision.Bench.Deadlines;

/// <summary>
/// The operations the board and the transition job repeat for every item: calendar arithmetic, folding a clock's
/// events, and reading a light with its next change instant. Inputs cycle through 4096 precomputed cases spread over
/// 2019-2026 so no single date stays in cache.
/// </summary>
[MemoryDiagnoser]
public class DeadlineBenchmarks
{
    private const int Cases = 4096;
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private readonly DateOnly[] _starts = new DateOnly[Cases];
    private readonly int[] _counts = new int[Cases];
    private readonly ClockEvent[][] _simple = new ClockEvent[Cases][];
    private readonly ClockEvent[][] _eventful = new ClockEvent[Cases][];
    private readonly ClockState[] _states = new ClockState[Cases];
    private readonly DateTimeOffset[] _instants = new DateTimeOffset[Cases];
    private WorkingCalendar _calendar = null!;
    private ClockContext _context = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "seeds", "calendar", "cn-statutory.json");
        _calendar = CalendarFile.Parse(File.ReadAllText(path), path);
        _context = new ClockContext(_calendar, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new TimeLimit.WorkingDays(20));
        var random = new Random(1);
        for (var i = 0; i < Cases; i++)
        {
            var start = new DateOnly(2019, 1, 2).AddDays(random.Next(0, 2600));
            var at = new DateTimeOffset(start.ToDateTime(new TimeOnly(10, 0)), Cst);
            _starts[i] = start;
            _counts[i] = random.Next(1, 60);
            var started = new ClockEvent.Started(at, start, new TimeLimit.WorkingDays(20));
            _simple[i] = [started];
            _eventful[i] =
            [
                started,
                new ClockEvent.Paused(at.AddDays(3), PauseReason.ThirdPartyConsultation),
                new ClockEvent.Resumed(at.AddDays(12)),
                new ClockEvent.Extended(at.AddDays(20), new TimeLimit.WorkingDays(10), "主任", "理由"),
            ];
            _states[i] = Clock.Fold(_eventful[i], _context);
            _instants[i] = at.AddHours(random.Next(0, 24 * 60));
        }
    }

    private int Next() => _i = (_i + 1) & (Cases - 1);

    [Benchmark(Description = "AddWorkingDays")]
    public DateOnly AddWorkingDays()
    {
        var i = Next();
        return _calendar.AddWorkingDays(_starts[i], _counts[i]);
    }

    [Benchmark(Description = "WorkingDaysBetween")]
    public int WorkingDaysBetween()
    {
        var i = Next();
        return _calendar.WorkingDaysBetween(_starts[i], _starts[(i + 7) & (Cases - 1)]);
    }

    [Benchmark(Description = "Fold: start only")]
    public ClockState FoldSimple() => Clock.Fold(_simple[Next()], _context);

    [Benchmark(Description = "Fold: start, pause, resume, extend")]
    public ClockState FoldEventful() => Clock.Fold(_eventful[Next()], _context);

    [Benchmark(Description = "Light + next change (folded state)")]
    public LightReading Light()
    {
        var i = Next();
        return LightRules.Evaluate(_states[i], LightPolicy.DisclosureDefault, _context, _instants[i]);
    }
}
