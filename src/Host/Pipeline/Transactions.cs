using Mediator;
using Supervision.Host.Storage;

namespace Supervision.Host.Pipeline;

/// <summary>
/// The unit of work a command's handler writes in, opened by <see cref="UnitOfWorkBehavior{TMessage, TResponse}"/>
/// and flowing with the call (an async-local), so that a handler, and any command it sends on, write in the same
/// transaction without passing it along.
/// </summary>
public static class Transactions
{
    private static readonly AsyncLocal<Scope?> Current = new();

    /// <summary>The open transaction's scope, null outside a command.</summary>
    internal static Scope? Open => Current.Value;

    /// <summary>The transaction the running command writes in; a handler of a command always has one.</summary>
    public static UnitOfWork Work => Current.Value?.Work
        ?? throw new InvalidOperationException("No unit of work: this runs only inside a command sent through the mediator.");

    /// <summary>Asks for <paramref name="effect"/> to be published once the transaction has committed (never when it
    /// rolls back): in-process effects only; anything that must survive the process goes in the outbox instead.</summary>
    public static void AfterCommit(INotification effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        (Current.Value ?? throw new InvalidOperationException("No unit of work to publish after.")).Effects.Add(effect);
    }

    // Entered and left synchronously by the behaviour's own async method: a value set inside a nested async method
    // would not flow back out of it.
    internal static Scope Enter(UnitOfWork work)
    {
        var scope = new Scope(work);
        Current.Value = scope;
        return scope;
    }

    internal static void Leave() => Current.Value = null;

    /// <summary>One open transaction with the effects to publish after it commits.</summary>
    internal sealed class Scope(UnitOfWork work)
    {
        public UnitOfWork Work { get; } = work;

        public List<INotification> Effects { get; } = [];
    }
}
