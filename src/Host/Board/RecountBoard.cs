using Mediator;
using Supervision.Engine.Workflows;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;

namespace Supervision.Host.Board;

/// <summary>What a recount found and did: the department and kind rows whose kept counts differed from the
/// assignments before it (a defect if ever more than none), and the count rows it wrote.</summary>
public sealed record BoardRecounted(int Differences, int Rows);

/// <summary>
/// Recounts the board from the assignments, replacing the kept counts (after a bulk load that bypassed the trigger, or
/// to repair what a verification found): <c>POST /api/board/recount</c>, an administrator's, as a background job. The
/// recount takes the kept counts' lock and replaces them in one transaction, so running it twice writes the same rows
/// again and nothing more.
/// </summary>
[BackgroundWork("board-recount")]
public sealed record RecountBoard(string RequestedBy) : ICommand<BoardRecounted>, IBackgroundWork, IOwnTransactions;

public sealed class RecountBoardHandler(Actors actors, BoardCounts counts) : ICommandHandler<RecountBoard, BoardRecounted>
{
    public async ValueTask<BoardRecounted> Handle(RecountBoard command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if ((await actors.ForAsync(command.RequestedBy, cancellationToken)).Role != Role.Admin)
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"'{command.RequestedBy}' is no longer an administrator");
        }

        var differences = await counts.VerifyAsync(cancellationToken);
        var rows = await counts.RebuildAsync(cancellationToken);
        return new BoardRecounted(differences.Count, rows);
    }
}
