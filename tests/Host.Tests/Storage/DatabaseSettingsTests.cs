using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Storage;

public sealed class DatabaseSettingsTests
{
    [Fact]
    public void Nothing_configured_means_a_SQLite_file_under_data()
    {
        var settings = DatabaseSettings.Parse(null);

        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.EndsWith(Path.Combine("data", "supervision.db"), settings.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Data Source=/var/lib/supervision/office.db")]
    [InlineData("DataSource=office.db;Cache=Shared")]
    [InlineData("Filename=office.db")]
    public void Data_source_means_SQLite(string value) =>
        Assert.Equal(DatabaseProvider.Sqlite, DatabaseSettings.Parse(value).Provider);

    [Theory]
    [InlineData("Host=db;Database=supervision;Username=app;Password=secret")]
    [InlineData("Server=10.0.0.5;Port=5433;Database=supervision")]
    [InlineData("Host=/var/run/postgresql;Database=supervision")]
    public void Host_means_PostgreSQL(string value) =>
        Assert.Equal(DatabaseProvider.PostgreSql, DatabaseSettings.Parse(value).Provider);

    [Fact]
    public void A_PostgreSQL_URI_becomes_a_keyword_connection_string()
    {
        var settings = DatabaseSettings.Parse("postgresql://app:p%40ss@db.internal:5433/supervision?sslmode=disable");

        Assert.Equal(DatabaseProvider.PostgreSql, settings.Provider);
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal("db.internal", parsed.Host);
        Assert.Equal(5433, parsed.Port);
        Assert.Equal("supervision", parsed.Database);
        Assert.Equal("app", parsed.Username);
        Assert.Equal("p@ss", parsed.Password);
        Assert.Equal(Npgsql.SslMode.Disable, parsed.SslMode);
        Assert.Equal("PostgreSQL db.internal:5433/supervision", settings.Describe());
    }

    [Fact]
    public void A_string_naming_neither_provider_is_refused_with_the_keys_found_and_no_secrets()
    {
        var error = Assert.Throws<DatabaseSettingsException>(() => DatabaseSettings.Parse("User=app;Password=hunter2"));

        Assert.Contains("SUPERVISION_DB", error.Message, StringComparison.Ordinal);
        Assert.Contains("'user'", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_a_connection_string_is_refused_plainly()
    {
        var error = Assert.Throws<DatabaseSettingsException>(() => DatabaseSettings.Parse("supervision.db"));

        Assert.Contains("not a connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_PostgreSQL_keyword_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<DatabaseSettingsException>(() => DatabaseSettings.Parse("Host=db;Colour=blue"));

        Assert.Contains("SUPERVISION_DB", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
    }
}
