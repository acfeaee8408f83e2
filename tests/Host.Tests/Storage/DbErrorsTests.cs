using Microsoft.Data.Sqlite;
using Npgsql;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Storage;

/// <summary>Which database failures mean "unavailable, ask again later" (503 with Retry-After), "storage full" (507)
/// or "read-only" (503), and which are none of these.</summary>
public sealed class DbErrorsTests
{
    [Theory]
    [InlineData("57P01", true)]   // admin_shutdown: the server is stopping
    [InlineData("57P03", true)]   // cannot_connect_now: the server is starting
    [InlineData("08006", true)]   // connection_failure
    [InlineData("53300", true)]   // too_many_connections
    [InlineData("23505", false)]  // unique_violation: the request's own fault
    [InlineData("40001", false)]  // serialization_failure: handled where it happens, not an outage
    [InlineData("42P01", false)]  // undefined_table: a bug or a missing migration, not an outage
    public void PostgreSQL_states_of_an_unreachable_server_are_unavailable_and_others_are_not(string state, bool unavailable)
    {
        var error = new PostgresException("message", "FATAL", "FATAL", state);
        Assert.Equal(unavailable, DbErrors.IsUnavailable(error));
        Assert.Equal(unavailable, DbErrors.IsUnavailable(new InvalidOperationException("wrapped", error)));
    }

    [Theory]
    [InlineData(5, true)]    // SQLITE_BUSY: another writer held the file past the busy timeout
    [InlineData(6, true)]    // SQLITE_LOCKED
    [InlineData(19, false)]  // SQLITE_CONSTRAINT
    [InlineData(1, false)]   // SQLITE_ERROR
    public void SQLite_busy_and_locked_are_unavailable_and_others_are_not(int code, bool unavailable) =>
        Assert.Equal(unavailable, DbErrors.IsUnavailable(new SqliteException("message", code)));

    [Fact]
    public void A_refused_connection_is_unavailable_and_an_unrelated_error_is_not()
    {
        Assert.True(DbErrors.IsUnavailable(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111))));
        Assert.False(DbErrors.IsUnavailable(new InvalidOperationException("not a database error")));
    }

    [Theory]
    [InlineData(13, true, false)]   // SQLITE_FULL
    [InlineData(8, false, true)]    // SQLITE_READONLY
    [InlineData(14, false, true)]   // SQLITE_CANTOPEN: the journal cannot be created on a read-only disk
    [InlineData(5, false, false)]   // SQLITE_BUSY
    [InlineData(19, false, false)]  // SQLITE_CONSTRAINT
    public void SQLite_full_and_read_only_are_told_apart(int code, bool full, bool readOnly)
    {
        Assert.Equal(full, DbErrors.IsStorageFull(new InvalidOperationException("wrapped", new SqliteException("message", code))));
        Assert.Equal(readOnly, DbErrors.IsReadOnly(new SqliteException("message", code)));
        Assert.False(DbErrors.IsUnavailable(new SqliteException("message", code)) && (full || readOnly));
    }

    [Theory]
    [InlineData("53100", true, false)]  // disk_full
    [InlineData("25006", false, true)]  // read_only_sql_transaction: a standby
    [InlineData("53300", false, false)] // too_many_connections: unavailable, not full
    [InlineData("23505", false, false)]
    public void PostgreSQL_disk_full_and_read_only_are_told_apart(string state, bool full, bool readOnly)
    {
        var error = new PostgresException("message", "ERROR", "ERROR", state);
        Assert.Equal(full, DbErrors.IsStorageFull(error));
        Assert.Equal(readOnly, DbErrors.IsReadOnly(new InvalidOperationException("wrapped", error)));
    }
}
