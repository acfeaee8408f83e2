using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Host.Workflows;

/// <summary>A workflow definition as listed.</summary>
public sealed record DefinitionView(string Id, int Version, string Kind, string Title, string TitleEn, IReadOnlyList<object> Steps);

/// <summary>The workflow definitions in force, with their steps, actions, outcomes and fields.</summary>
public static class DefinitionsApi
{
    public static IEndpointRouteBuilder MapDefinitions(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Reference");
        api.MapGet("/definitions", (DefinitionCatalog catalog) =>
            TypedResults.Ok(catalog.Latest.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d => new DefinitionView(d.Id, d.Version, d.Kind.Code(), d.Title.Zh, d.Title.En,
                d.Steps.Select(s => (object)new
                {
                    s.Id,
                    name = s.Name.Zh,
                    nameEn = s.Name.En,
                    role = s.Role.ToString().ToLowerInvariant(),
                    limit = s.Limit?.ToString(),
                    s.Terminal,
                    s.PerAssignment,
                    actions = s.Actions.Select(a => a.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal),
                    outcomes = s.Outcomes.Select(o => new { o.Id, name = o.Name.Zh, nameEn = o.Name.En, to = o.To, fields = o.Fields.Select(Field) }),
                    fields = s.Fields.Select(Field),
                }).ToList())).ToList()));
        return endpoints;
    }

    private static object Field(FieldDefinition f) => new { f.Name, label = f.Label.Zh, type = f.Type.ToString().ToLowerInvariant(), f.Required, f.Choices };
}
