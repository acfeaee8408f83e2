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
}
