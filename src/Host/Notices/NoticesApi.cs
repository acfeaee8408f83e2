using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Notices;

/// <summary>A page of the caller's inbox.</summary>
public sealed record Inbox(IReadOnlyList<Notice> Notices, long Total, long Unread, int Page, int PageSize);

/// <summary><c>GET /api/notices</c> (my inbox) and <c>POST /api/notices/{id}/read</c>.</summary>
public static class NoticesApi
{
    public static IEndpointRouteBuilder MapNotices(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/notices").WithTags("Notices");
        api.MapGet("/", (ClaimsPrincipal user, UserStore users, NoticeStore notices, CancellationToken ct, bool unread = false, int page = 1, int pageSize = 50) => Answer.Read(async () =>
        {
            if (page < 1 || pageSize is < 1 or > 200)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "page: from 1; pageSize: 1 to 200");
            }

            var me = await users.FindByLoginAsync(user.Identity!.Name!, ct) ?? throw new KeyNotFoundException("The signed-in user no longer exists.");
            var (list, total, unreadCount) = await notices.InboxAsync(me.Id, unread, page, pageSize, ct);
            return TypedResults.Ok(new Inbox(list, total, unreadCount, page, pageSize));
        }));
        api.MapPost("/{id:long}/read", async Task<Results<NoContent, NotFoundProblem>> (long id, ClaimsPrincipal user, UserStore users, ISender sender, CancellationToken ct) =>
        {
            var me = await users.FindByLoginAsync(user.Identity!.Name!, ct);
            return me is not null && await sender.Send(new MarkNoticeRead(me.Id, id), ct)
                ? TypedResults.NoContent()
                : new NotFoundProblem("Not found", me is null ? "The signed-in user no longer exists." : $"Notice {id} is not in your inbox.");
        });
        return endpoints;
    }
}
