using Supervision.Engine.Import;
using Supervision.Engine.Organisation;

namespace Supervision.Engine.Tests.Import;

public sealed class UnitDirectoryTests
{
    private static readonly UnitDirectory Directory = new(
    [
        new Department { Id = 1, Name = "市政府办公室", Aliases = ["市府办"] },
        new Department { Id = 2, Name = "中共沈阳市委机构编制委员会办公室", Aliases = ["市委编办"] },
        new Department { Id = 3, Name = "市司法局" },
        new Department { Id = 4, Name = "和平区政府" },
        new Department { Id = 5, Name = "沈河区政府" },
        new Department { Id = 6, Name = "法制科" },
        new Department { Id = 7, Name = "办公室" },
    ],
    new Dictionary<string, IReadOnlyList<string>>
    {
        ["各区县（市）政府"] = ["和平区政府", "沈河区政府", "苏家屯区政府"],
        ["市政府各部门"] = ["市政府办公室", "市司法局"],
        ["各单位、各科室"] = ["法制科", "办公室"],
    });

    private static string Describe(UnitMatch match) => match switch
    {
        UnitMatch.Known k => $"{k.Text}={k.Id}",
        UnitMatch.Group g => $"{g.Text}=group {g.GroupName} [{string.Join(",", g.Ids)}]{(g.Missing.Count > 0 ? " missing " + string.Join(",", g.Missing) : string.Empty)}",
        _ => $"{match.Text}=?",
    };

    [Theory]
    [InlineData("市委编办 市政府办公室", "市委编办=2; 市政府办公室=1")]
    [InlineData("县政府办公室、县编委办", "县政府办公室=?; 县编委办=?")]
    [InlineData("市政府办公室\n市司法局\n", "市政府办公室=1; 市司法局=3")]
    [InlineData("市府办；市司法局，市府办", "市府办=1; 市司法局=3")]
    [InlineData("区县（市）政府 市政府各部门", "区县（市）政府=group 各区县（市）政府 [4,5] missing 苏家屯区政府; 市政府各部门=group 市政府各部门 [1,3]")]
    [InlineData("各区县(市)政府", "各区县(市)政府=group 各区县（市）政府 [4,5] missing 苏家屯区政府")]
    [InlineData("各单位、各科室", "各单位、各科室=group 各单位、各科室 [6,7]")]
    [InlineData("法制科 各单位、各科室", "法制科=6; 各单位、各科室=group 各单位、各科室 [6,7]")]
    [InlineData("", "")]
    public void Cells_split_into_departments_groups_and_unknown_names(string cell, string expected) =>
        Assert.Equal(expected, string.Join("; ", Directory.Match(cell).Select(Describe)));
}
