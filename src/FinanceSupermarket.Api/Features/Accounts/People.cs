using System.Data.Common;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A person's account row.</summary>
public sealed class Person
{
    public const string SelectSql = """
        SELECT id, login, display_name AS DisplayName, password_hash AS PasswordHash, active, failed_sign_ins AS FailedSignIns,
               locked_until AS LockedUntil, mfa_secret AS MfaSecret, mfa_enabled AS MfaEnabled, mfa_last_step AS MfaLastStep
        FROM people
        """;
    private const string ByLoginSql = SelectSql + " WHERE login = @Login";
    private const string ByIdSql = SelectSql + " WHERE id = @Id";

    public string Id { get; set; } = "";
    public string Login { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public bool Active { get; set; }
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? MfaSecret { get; set; }
    public bool MfaEnabled { get; set; }
    public long? MfaLastStep { get; set; }

    public UserView View => new(Id, DisplayName, Login);

    /// <summary>Stands for an unknown login, so that a sign-in for it checks a password hash as long as for a real person.</summary>
    public static readonly Person Nobody = new() { Id = "", Login = "" };

    private static string? _nobodysHash;

    public static string NobodysHash(Microsoft.AspNetCore.Identity.IPasswordHasher<Person> hasher) =>
        _nobodysHash ??= hasher.HashPassword(Nobody, Secrets.NewToken());

    private const string InsertSql = """
        INSERT INTO people (id, login, display_name, password_hash, active, failed_sign_ins, mfa_enabled, created_at, updated_at)
        VALUES (@Id, @Login, @DisplayName, @PasswordHash, @True, 0, @False, @Now, @Now)
        """;

    /// <summary>Opens an account; 409 when the login is taken.</summary>
    public static async Task<Person> CreateAsync(UnitOfWork unit, Microsoft.AspNetCore.Identity.IPasswordHasher<Person> hasher, string login,
        string displayName, string password, DateTimeOffset now)
    {
        var person = new Person { Id = Guid.CreateVersion7().ToString(), Login = Logins.Normalise(login), DisplayName = displayName.Trim(), Active = true };
        try
        {
            await unit.ExecuteAsync(InsertSql, new
            {
                person.Id, person.Login, person.DisplayName, PasswordHash = hasher.HashPassword(person, password), True = true, False = false, Now = now,
            });
        }
        catch (Exception exception) when (unit.Dialect.IsUniqueViolation(exception))
        {
            throw new Infrastructure.Http.ConflictException("An account with this login exists already; sign in, or reset the password.");
        }
        return person;
    }

    public static Task<Person?> ByLoginAsync(UnitOfWork unit, string login) =>
        unit.QuerySingleOrDefaultAsync<Person>(ByLoginSql, new { Login = Logins.Normalise(login) });

    public static Task<Person?> ByIdAsync(UnitOfWork unit, string id) => unit.QuerySingleOrDefaultAsync<Person>(ByIdSql, new { Id = id });

    public static Task<Person?> ByIdAsync(DbConnection connection, string id) => connection.QuerySingleOrDefaultAsync<Person>(ByIdSql, new { Id = id });
}

public sealed record UserView(string Id, string DisplayName, string Login);
