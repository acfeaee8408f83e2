using Supervision.Engine.Import;

namespace Supervision.Engine.Tests.Import;

public sealed class UnitDirectoryFileTests
{
    private static string SampleCity => Path.Combine(Repository.Root, "seeds", "departments", "sample-city.json");

    [Fact]
    public void The_shipped_sample_directory_reads_and_matches_a_decomposition_tables_cells()
    {
        var contents = UnitDirectoryFile.Parse(File.ReadAllText(SampleCity), "sample-city.json");
        var ids = contents.Departments.Select((d, i) => (d.Name, Id: i + 1L)).ToDictionary(x => x.Name, x => x.Id);
        var directory = contents.ToDirectory(name => ids[name]);

        var lead = directory.Match("市委编办 市政府办公室");
        var responsible = directory.Match("区县（市）政府 市政府各部门");

        Assert.Equal([ids["中共样例市委机构编制委员会办公室"], ids["样例市人民政府办公室"]], lead.Cast<UnitMatch.Known>().Select(k => k.Id));
        var districts = Assert.IsType<UnitMatch.Group>(responsible[0]);
        Assert.Equal(3, districts.Ids.Count);
        Assert.Empty(districts.Missing);
        Assert.Equal(6, Assert.IsType<UnitMatch.Group>(responsible[1]).Ids.Count);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_path()
    {
        const string json = """
            {
              "departments": [
                { "name": "甲局", "aliases": ["甲"] },
                { "aliases": ["无名"] },
                { "name": "乙局", "aliases": ["甲"], "parent": "丙局" },
                { "name": "甲局" }
              ],
              "groups": { "各局": ["甲局", "丁局"], "坏组": "甲局" }
            }
            """;

        var e = Assert.Throws<UnitDirectoryFileException>(() => UnitDirectoryFile.Parse(json, "city.json"));

        Assert.Equal(
        [
            "$.departments[1].name: missing",
            "$.departments[2].aliases[0]: '甲' is already used at $.departments[0].aliases[0]",
            "$.departments[2].parent: '丙局' is not a department listed before this one",
            "$.departments[3].name: '甲局' is already used at $.departments[0].name",
            "$.groups['各局'][1]: '丁局' is not a department or alias in this file",
            "$.groups['坏组']: must be a list of department names",
        ], e.Problems);
        Assert.StartsWith("city.json:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_names_the_line()
    {
        var e = Assert.Throws<UnitDirectoryFileException>(() => UnitDirectoryFile.Parse("{\n \"departments\": [\n { \"name\": }\n]}", "x.json"));

        Assert.Contains("line 3", Assert.Single(e.Problems), StringComparison.Ordinal);
    }
}
