namespace Supervision.Host.Storage;

/// <summary>Someone else changed the item since it was read; the message says how to proceed.</summary>
public sealed class ConcurrencyException(string message) : Exception(message);

/// <summary>A department name or alias is already taken by another department.</summary>
public sealed class DuplicateNameException(string message) : Exception(message);
