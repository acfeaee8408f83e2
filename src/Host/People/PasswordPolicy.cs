namespace Supervision.Host.People;

/// <summary>
/// What a password must be: at least <see cref="MinimumLength"/> characters, not the login (nor the login with digits
/// around it), and not one of the passwords that breach lists show people choose most. The list below holds the
/// frequent ones of at least ten characters (shorter ones fail on length anyway), from the published top lists of
/// leaked passwords, Chinese sites' lists included (woaini1314, 5201314…).
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;

    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "0123456789", "9876543210", "0987654321", "1111111111", "0000000000", "2222222222", "5555555555",
        "6666666666", "8888888888", "9999999999", "1212121212", "1231231231", "1234512345", "1122334455", "1357924680",
        "12345678910", "123456789a", "a123456789", "a1234567890", "1234567890a", "123456789q", "qwertyuiop", "qwerty1234",
        "qwerty12345", "qwerty123456", "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "zaq12wsxcde3", "qazwsxedc123",
        "123qweasdzxc", "qweasdzxc123", "asdfghjkl1", "asdfghjkl123", "zxcvbnm123", "zxcvbnm1234", "abcd123456",
        "abc1234567", "abc123456789", "abcdefghij", "abcdefg123", "aa12345678", "qq12345678", "password12", "password123",
        "password1234", "password01", "passw0rd123", "p@ssw0rd123", "password!", "iloveyou12", "iloveyou123",
        "administrator", "admin12345", "admin123456", "welcome123", "welcome1234", "changeme123", "letmein123",
        "trustno1234", "football123", "baseball123", "superman123", "princess123", "sunshine123", "starwars123",
        "woaini1314", "woaini1314520", "woaini520", "5201314520", "1314520520", "5201314521", "147258369a",
        "1472583690", "159753123456", "123123123123", "1234123412", "123654789a", "zhang123456", "wang123456",
        "li12345678", "liu123456789", "abc123abc123", "q1w2e3r4t5", "1a2b3c4d5e", "supervision", "supervision1",
        "supervision123",
    };

    /// <summary>What is wrong with <paramref name="password"/> for <paramref name="login"/>; empty when it will do.</summary>
    public static IReadOnlyList<string> Problems(string login, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var problems = new List<string>();
        if (password.Length < MinimumLength)
        {
            problems.Add($"at least {MinimumLength} characters");
        }

        var core = password.Trim().Trim("0123456789!@#._-".ToCharArray());
        if (!string.IsNullOrWhiteSpace(login) && (string.Equals(password, login, StringComparison.OrdinalIgnoreCase) || string.Equals(core, login.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add("not the login");
        }

        if (Common.Contains(password))
        {
            problems.Add("not one of the most common passwords");
        }

        return problems;
    }
}
