using Supervision.Engine.Workflows;

namespace Supervision.Host.Pipeline;

/// <summary>
/// A command or query about one item, sent by a person. The scope behaviour runs first: when the item is outside the
/// person's departments (neither its own department nor one of its assignments' is theirs) or does not exist, the
/// answer is the same 404 before anything else of the message is looked at or anything of the item is read.
/// </summary>
public interface IItemMessage
{
    /// <summary>The item the message is about.</summary>
    long ItemId { get; }

    /// <summary>Who sends it.</summary>
    Actor Actor { get; }
}

/// <summary>A message only an active administrator may send; anyone else is refused (403) before it runs.</summary>
public interface IAdministrative
{
    /// <summary>Who sends it.</summary>
    Actor Actor { get; }
}

/// <summary>
/// A message that checks its own fields (required values, formats, ranges) before it runs; each problem names its
/// field, and the first is answered as a 400. Checks that need the database (a department's name) stay in the
/// handler, inside the transaction.
/// </summary>
public interface IValidated
{
    /// <summary>The problems with the message's fields, none when it is well formed.</summary>
    IEnumerable<FieldProblem> Validate();
}

/// <summary>One field's problem: <see cref="Field"/> as the caller named it (a body member, a query parameter).</summary>
public readonly record struct FieldProblem(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}

/// <summary>
/// A command that commits its own transactions: the unit-of-work behaviour does not wrap it in one. Two kinds only:
/// batches over many items that commit as they go (a calendar year stored and every open item recomputed, the nightly
/// overdue run, the daily light counts, the monthly circulations), and a long read or parse before one short write
/// (a circulation's figures computed over a period, a plan file read and previewed), where holding the write
/// transaction open would keep every other writer waiting (SQLite has one writer at a time). Every other command runs
/// in exactly one transaction, its writes all or none.
/// </summary>
public interface IOwnTransactions;
