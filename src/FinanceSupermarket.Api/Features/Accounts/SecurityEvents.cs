using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Sign-ins, failures, lockouts, MFA changes, invitations: the account events an admin reviews (安全审计).</summary>
public static class SecurityEvents
{
    public const string SignedUp = "signed_up";
    public const string SignedIn = "signed_in";
    public const string SignInFailed = "sign_in_failed";
    public const string LockedOut = "locked_out";
    public const string SignedOut = "signed_out";
    public const string RefreshReused = "refresh_token_reused";
    public const string MfaEnabled = "mfa_enabled";
    public const string MfaReset = "mfa_reset";
    public const string PasswordResetRequested = "password_reset_requested";
    public const string PasswordReset = "password_reset";
    public const string InvitationCreated = "invitation_created";
    public const string InvitationWithdrawn = "invitation_withdrawn";
    public const string InvitationAccepted = "invitation_accepted";
    public const string PersonDeactivated = "person_deactivated";
    public const string MembershipRemoved = "membership_removed";
    public const string ApiClientCreated = "api_client_created";
    public const string ApiClientRevoked = "api_client_revoked";
    public const string ClientTokenRefused = "client_token_refused";
    public const string AdminCreated = "admin_created";

    private const string InsertSql = """
        INSERT INTO security_events (at, kind, person_id, login, client_address, detail) VALUES (@At, @Kind, @PersonId, @Login, @ClientAddress, @Detail)
        """;

    public static async Task RecordAsync(UnitOfWork unit, DateTimeOffset at, string kind, string? personId, string? login, string? clientAddress, string? detail = null)
    {
        await unit.ExecuteAsync(InsertSql, new { At = at, Kind = kind, PersonId = personId, Login = login, ClientAddress = clientAddress, Detail = detail });
        unit.AddToAuditTrail(AuditTrail.Entry(at, AuditTrail.Security, "person", personId ?? login ?? "", kind,
            ("login", login), ("clientAddress", clientAddress), ("detail", detail)));
    }
}
