using Mediator;

namespace Supervision.Host.Storage;

/// <summary>
/// Published after a command's transaction commits: items of <see cref="Departments"/> (null: of any department) changed, and the earliest
/// instant one of them changes light next is <see cref="NextChangeAt"/> (null when none). In-process only: this
/// instance's light loop and live boards hear it at once; other instances hear the same through NOTIFY (PostgreSQL)
/// or their next poll, and nothing is lost if the process stops before publishing it.
/// </summary>
public sealed record ItemsChanged(IReadOnlyCollection<long>? Departments, DateTimeOffset? NextChangeAt) : INotification;

/// <summary>Wakes the light transition loop for the new instant and tells the departments' live boards.</summary>
public sealed class WakeOnItemsChanged(Wakeups wakeups) : INotificationHandler<ItemsChanged>
{
    public ValueTask Handle(ItemsChanged notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        wakeups.ChangeInstantSet(notification.NextChangeAt);
        wakeups.BoardChanged(notification.Departments);
        return ValueTask.CompletedTask;
    }
}
