using Mediator;
using Supervision.Host.Storage;

namespace Supervision.Host.Pipeline;

/// <summary>
/// Third: every command runs in one transaction, in which its writes, its history entries and its outbox rows
/// (notices, webhooks) commit together or not at all. A command sent while another's transaction is open (an import
/// registering its tasks) joins it. A transaction that loses a race the database detects (PostgreSQL's serialization
/// failure or deadlock) runs again from the start, up to <see cref="Attempts"/> times. The in-process effects the
/// handler asked for (<see cref="Transactions.AfterCommit"/>: waking the light loop, telling live boards) are published
/// after the outermost commit, never for a transaction rolled back. Commands that commit their own batches
/// (<see cref="IOwnTransactions"/>) and queries pass through.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(Database database, IPublisher publisher) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    /// <summary>How many times a command runs when its transaction keeps losing races.</summary>
    public const int Attempts = 3;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (message is not IBaseCommand || message is IOwnTransactions || Transactions.Open is not null)
        {
            return await next(message, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            var work = await database.BeginAsync(cancellationToken);
            var scope = Transactions.Enter(work);
            TResponse response;
            try
            {
                response = await next(message, cancellationToken);
                await work.CommitAsync(cancellationToken);
            }
            catch (Exception e) when (attempt < Attempts && DbErrors.IsRetryable(e))
            {
                continue;
            }
            finally
            {
                Transactions.Leave();
                await work.DisposeAsync();
            }

            foreach (var effect in scope.Effects)
            {
                await publisher.Publish(effect, CancellationToken.None);
            }

            return response;
        }
    }
}
