using Mediator;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Notices;

/// <summary>The signed-in person marks a notice of their inbox read; a notice not in their inbox is not found.</summary>
public sealed record MarkNoticeRead(long UserId, long NoticeId) : ICommand<bool>;

public sealed class MarkNoticeReadHandler(NoticeStore notices) : ICommandHandler<MarkNoticeRead, bool>
{
    public async ValueTask<bool> Handle(MarkNoticeRead command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await notices.MarkReadInAsync(Transactions.Work, command.NoticeId, command.UserId, cancellationToken);
    }
}
