using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Supervision.Host.Storage;

/// <summary>Recognises the same database failure across both providers.</summary>
internal static class DbErrors
{
    /// <summary>A unique or primary-key constraint refused the write.</summary>
    public static bool IsUniqueViolation(DbException exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
        SqliteException lite => lite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>
    /// The transaction lost a race the database detected and may simply run again: PostgreSQL's serialization failure
    /// (40001) or deadlock (40P01). Looks through wrapping exceptions.
    /// </summary>
    public static bool IsRetryable(Exception exception) => Find(exception, e => e is PostgresException
    {
        SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
    });

    /// <summary>
    /// The database cannot serve anyone right now, through no fault of the request: PostgreSQL unreachable, shutting
    /// down or starting (connection refused, SQLSTATE classes 08 and 57P), out of connections (53300), or the pool
    /// waited its whole timeout; SQLite's file still locked by another writer after the busy timeout. Asking again
    /// later may succeed. Looks through wrapping exceptions.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => Find(exception, e => e switch
    {
        // A PostgreSQL error of another class (a serialization failure, a deadlock) is not an outage, though Npgsql
        // calls some of them transient.
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                                || pg.SqlState == PostgresErrorCodes.TooManyConnections,
        NpgsqlException npgsql => npgsql.IsTransient,
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), after the connection's busy timeout.
        SqliteException lite => lite.SqliteErrorCode is 5 or 6,
        _ => false,
    });

    /// <summary>
    /// The database could not write for lack of room: its disk is full (SQLite's SQLITE_FULL, PostgreSQL's disk_full
    /// 53100). Nothing of the failed transaction was written; an administrator must free space, after which the same
    /// request succeeds. Looks through wrapping exceptions.
    /// </summary>
    public static bool IsStorageFull(Exception exception) => Find(exception, e => e switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.DiskFull,
        SqliteException lite => lite.SqliteErrorCode == 13,
        _ => false,
    });

    /// <summary>
    /// The database refuses writes because its storage is read-only: SQLite's file, journal or directory cannot be
    /// written (SQLITE_READONLY, SQLITE_CANTOPEN), or PostgreSQL is a read-only standby (25006). Looks through
    /// wrapping exceptions.
    /// </summary>
    public static bool IsReadOnly(Exception exception) => Find(exception, e => e switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction,
        SqliteException lite => lite.SqliteErrorCode is 8 or 14,
        _ => false,
    });

    private static bool Find(Exception exception, Func<Exception, bool> test)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (test(e))
            {
                return true;
            }
        }

        return false;
    }
}
