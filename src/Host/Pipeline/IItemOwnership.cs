namespace Supervision.Host.Pipeline;

/// <summary>
/// The departments an item belongs to (its own and its assignments'), empty when there is no such item: what the
/// scope behaviour decides by. Implemented by the item store, which keeps an index for it.
/// </summary>
public interface IItemOwnership
{
    /// <summary>The item's departments; empty when it does not exist.</summary>
    Task<IReadOnlyCollection<long>> DepartmentsOfAsync(long itemId, CancellationToken cancellationToken);
}
