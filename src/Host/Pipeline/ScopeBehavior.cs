using Mediator;
using Supervision.Engine.Workflows;

namespace Supervision.Host.Pipeline;

/// <summary>
/// First in the pipeline: who may send this message about which item, decided before the message's fields are checked
/// or any of the item's state is read. An item outside the sender's departments is answered exactly as an item that
/// does not exist (404, the same words), whatever the rest of the message says, so that refusals cannot map another
/// department's items, steps or versions. Administrators see every item; an administrative message from anyone else
/// is refused (403).
/// </summary>
public sealed class ScopeBehavior<TMessage, TResponse>(IItemOwnership ownership) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (message is IAdministrative { Actor.Role: not Role.Admin } administrative)
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"user '{administrative.Actor.Login}' is not an administrator");
        }

        if (message is IItemMessage { } about)
        {
            var owners = await ownership.DepartmentsOfAsync(about.ItemId, cancellationToken);
            if (owners.Count == 0 || (about.Actor.Role != Role.Admin && !owners.Any(about.Actor.Scope.Contains)))
            {
                throw Refusals.NotFound(about.ItemId);
            }
        }

        return await next(message, cancellationToken);
    }
}
