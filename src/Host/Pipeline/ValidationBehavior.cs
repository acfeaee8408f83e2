using Mediator;

namespace Supervision.Host.Pipeline;

/// <summary>Second: a message's own field checks (<see cref="IValidated"/>); the first problem is answered as a 400
/// naming its field, and nothing runs.</summary>
public sealed class ValidationBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (message is IValidated validated)
        {
            var problems = validated.Validate().ToList();
            if (problems.Count > 0)
            {
                throw Refusals.Invalid(problems);
            }
        }

        return next(message, cancellationToken);
    }
}
