using System.Text;
using Supervision.Engine.Organisation;

namespace Supervision.Engine.Import;

/// <summary>What one name in a lead or responsible cell refers to.</summary>
public abstract record UnitMatch(string Text)
{
    /// <summary>A department known by its name or an alias.</summary>
    public sealed record Known(string Text, long Id, string Name) : UnitMatch(Text);

    /// <summary>
    /// A generic group (<c>各区县（市）政府</c>, <c>市政府各部门</c>, <c>各单位、各科室</c>) and the departments configured for
    /// it; <see cref="Missing"/> are configured member names no department has.
    /// </summary>
    public sealed record Group(string Text, string GroupName, IReadOnlyList<long> Ids, IReadOnlyList<string> Missing) : UnitMatch(Text);

    /// <summary>A name no department or group has: reported, created only on confirmation.</summary>
    public sealed record Unknown(string Text) : UnitMatch(Text);
}

/// <summary>
/// The departments and generic groups plan documents name, for matching lead (牵头单位) and responsible (责任单位)
/// cells: a cell is split into names at spaces, 、，；, commas, semicolons and line breaks (<c>市委编办 市政府办公室</c>),
/// a group whose own name holds a separator (<c>各单位、各科室</c>) is kept whole, and each name is matched to a
/// department by name or alias, or to a group, ignoring the difference between full- and half-width brackets and
/// spaces, and a leading 各 (<c>区县（市）政府</c> = <c>各区县（市）政府</c>).
/// </summary>
public sealed class UnitDirectory
{
    private static readonly char[] Separators = [' ', '\t', '\n', '\r', '\u3000', '、', '，', ',', '；', ';', '/'];
    private readonly Dictionary<string, Department> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Name, IReadOnlyList<string> Members)> _groups = new(StringComparer.Ordinal);

    public UnitDirectory(IEnumerable<Department> departments, IReadOnlyDictionary<string, IReadOnlyList<string>> groups)
    {
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var department in departments)
        {
            foreach (var name in department.Aliases.Prepend(department.Name))
            {
                _byName.TryAdd(Key(name), department);
            }
        }

        foreach (var (name, members) in groups)
        {
            _groups[Key(name)] = (name, members);
        }
    }

    /// <summary>The names in a cell, as written (trimmed), in order, without repeats; groups with separators kept whole.</summary>
    public IReadOnlyList<string> Split(string? cell)
    {
        var pieces = (cell ?? string.Empty).Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var names = new List<string>();
        for (var i = 0; i < pieces.Count; i++)
        {
            // Re-join neighbours that together are a group's name (各单位、各科室).
            var joined = false;
            for (var j = pieces.Count; j > i + 1 && !joined; j--)
            {
                var candidate = string.Join("、", pieces.Skip(i).Take(j - i));
                if (_groups.ContainsKey(Key(candidate)))
                {
                    names.Add(candidate);
                    i = j - 1;
                    joined = true;
                }
            }

            if (!joined)
            {
                names.Add(pieces[i]);
            }
        }

        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Each name of a cell matched to a department, a group or nothing.</summary>
    public IReadOnlyList<UnitMatch> Match(string? cell) => Split(cell).Select(MatchName).ToList();

    /// <summary>One name matched.</summary>
    public UnitMatch MatchName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Key(name);
        foreach (var candidate in new[] { key, "各" + key, key.StartsWith('各') ? key[1..] : null })
        {
            if (candidate is not null && _groups.TryGetValue(candidate, out var group))
            {
                var known = group.Members.Select(m => (m, d: _byName.GetValueOrDefault(Key(m)))).ToList();
                return new UnitMatch.Group(name, group.Name, known.Where(k => k.d is not null).Select(k => k.d!.Id).Distinct().ToList(), known.Where(k => k.d is null).Select(k => k.m).ToList());
            }
        }

        return _byName.TryGetValue(key, out var department) ? new UnitMatch.Known(name, department.Id, department.Name) : new UnitMatch.Unknown(name);
    }

    // Brackets of either width, no spaces.
    private static string Key(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            switch (c)
            {
                case '(':
                    builder.Append('（');
                    break;
                case ')':
                    builder.Append('）');
                    break;
                case ' ' or '\u3000' or '\t':
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }
}
