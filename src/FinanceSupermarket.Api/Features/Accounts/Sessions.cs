using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// The session body (DESIGN.md, Accounts and sessions). MfaSetupRequired: the membership needs a second factor the person
/// has not set up yet; until they do (POST /auth/mfa/setup, /auth/mfa/confirm, then refresh) the token carries no role.
/// </summary>
public sealed record SessionView(
    string AccessToken, string RefreshToken, int ExpiresIn, UserView User, Membership? Membership, IReadOnlyList<Membership> Memberships,
    bool MfaSetupRequired);

/// <summary>A refreshed session, or none; Reused says a spent token came back (its session is now revoked).</summary>
public sealed record RefreshOutcome(SessionView? Session, bool Reused)
{
    public static readonly RefreshOutcome Refused = new(null, Reused: false);
}

/// <summary>
/// Sessions: a short-lived access token (JWT) and an opaque refresh token, stored only as its hash and spent on use. A spent
/// token presented again means it was copied: the whole session is revoked (theft detection, OAuth 2.0 Security BCP §4.14).
/// </summary>
public sealed class Sessions(UnitOfWork unit, TokenIssuer tokens, IOptions<AccountsOptions> options)
{
    private const string InsertSessionSql = """
        INSERT INTO sessions (id, person_id, membership_id, created_at, expires_at, mfa_verified)
        VALUES (@Id, @PersonId, @MembershipId, @Now, @ExpiresAt, @MfaVerified)
        """;
    private const string InsertRefreshSql = "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (@Hash, @SessionId, @Now)";
    private const string RefreshSql = """
        SELECT t.used_at AS UsedAt, s.id AS SessionId, s.person_id AS PersonId, s.membership_id AS MembershipId, s.expires_at AS ExpiresAt,
               s.revoked_at AS RevokedAt, s.mfa_verified AS MfaVerified
        FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
        WHERE t.token_hash = @Hash
        """;
    private const string SpendSql = "UPDATE refresh_tokens SET used_at = @Now WHERE token_hash = @Hash AND used_at IS NULL";
    private const string MoveSql = "UPDATE sessions SET membership_id = @MembershipId WHERE id = @Id";
    private const string RevokeSql = "UPDATE sessions SET revoked_at = @Now, revoked_reason = @Reason WHERE id = @Id AND revoked_at IS NULL";
    private const string RevokeOfPersonSql = "UPDATE sessions SET revoked_at = @Now, revoked_reason = @Reason WHERE person_id = @PersonId AND revoked_at IS NULL";
    private const string RevokeOfMembershipSql = "UPDATE sessions SET revoked_at = @Now, revoked_reason = @Reason WHERE membership_id = @MembershipId AND revoked_at IS NULL";
    private const string VerifiedSql = "UPDATE sessions SET mfa_verified = @True WHERE id = @Id";

    /// <summary>Starts a session for the person in the membership they chose (or their first); null when they hold no such membership.</summary>
    public async Task<SessionView?> StartAsync(Person person, string? membershipId, bool mfaVerified, DateTimeOffset now)
    {
        var memberships = await Memberships.OfPersonAsync(unit, person.Id);
        if (!TryChoose(memberships, membershipId, out var membership)) return null;
        var sessionId = Guid.CreateVersion7().ToString();
        await unit.ExecuteAsync(InsertSessionSql, new
        {
            Id = sessionId, PersonId = person.Id, MembershipId = membership?.Id, Now = now, ExpiresAt = now + options.Value.SessionLifetime,
            MfaVerified = mfaVerified,
        });
        return await IssueAsync(sessionId, person, membership, memberships, mfaVerified, now);
    }

    /// <summary>
    /// A new session body for a refresh token, or none (and a revoked session where the token was spent before). The
    /// person's state is read again, so a deactivation or a removed membership stops the refreshes at once.
    /// </summary>
    public async Task<RefreshOutcome> RefreshAsync(string refreshToken, string? membershipId, DateTimeOffset now)
    {
        var hash = Secrets.Hash(refreshToken);
        var token = await unit.QuerySingleOrDefaultAsync<RefreshRow>(RefreshSql, new { Hash = hash });
        if (token is null || token.RevokedAt is not null || token.ExpiresAt <= now) return RefreshOutcome.Refused;
        if (token.UsedAt is not null || await unit.ExecuteAsync(SpendSql, new { Hash = hash, Now = now }) == 0)
        {
            await RevokeAsync(token.SessionId, "refresh token reused", now);
            return new RefreshOutcome(null, Reused: true);
        }

        var person = await Person.ByIdAsync(unit, token.PersonId);
        if (person is not { Active: true })
        {
            await RevokeAsync(token.SessionId, "person deactivated", now);
            return RefreshOutcome.Refused;
        }
        var memberships = await Memberships.OfPersonAsync(unit, person.Id);
        // A membership named but not (any longer) held ends the session; none named keeps the session's, or takes the one
        // gained since (registering an enterprise makes its owner).
        if (!TryChoose(memberships, membershipId ?? token.MembershipId, out var membership)
            // A membership that needs a second factor, in a session that never gave one although the person has one now.
            || membership is { RequiresMfa: true } && !token.MfaVerified && person.MfaEnabled)
        {
            await RevokeAsync(token.SessionId, "membership not held", now);
            return RefreshOutcome.Refused;
        }
        if (membership?.Id != token.MembershipId) await unit.ExecuteAsync(MoveSql, new { Id = token.SessionId, MembershipId = membership?.Id });
        return new RefreshOutcome(await IssueAsync(token.SessionId, person, membership, memberships, token.MfaVerified, now), Reused: false);
    }

    public Task RevokeAsync(string sessionId, string reason, DateTimeOffset now) =>
        unit.ExecuteAsync(RevokeSql, new { Id = sessionId, Reason = reason, Now = now });

    /// <summary>Ends every session of a person (deactivated, or a new password set).</summary>
    public Task RevokeAllOfPersonAsync(string personId, string reason, DateTimeOffset now) =>
        unit.ExecuteAsync(RevokeOfPersonSql, new { PersonId = personId, Reason = reason, Now = now });

    /// <summary>Ends the sessions acting in a membership that was removed.</summary>
    public Task RevokeAllOfMembershipAsync(string membershipId, string reason, DateTimeOffset now) =>
        unit.ExecuteAsync(RevokeOfMembershipSql, new { MembershipId = membershipId, Reason = reason, Now = now });

    /// <summary>The session has now given a second factor (it set one up): memberships that need one are open to its next refresh.</summary>
    public Task MarkMfaVerifiedAsync(string sessionId) => unit.ExecuteAsync(VerifiedSql, new { Id = sessionId, True = true });

    /// <summary>The membership named (false when not held), or with none named the first one the person holds, if any.</summary>
    private static bool TryChoose(IReadOnlyList<Membership> memberships, string? membershipId, out Membership? membership)
    {
        membership = membershipId is null ? memberships.FirstOrDefault() : memberships.FirstOrDefault(m => m.Id == membershipId);
        return membershipId is null || membership is not null;
    }

    private async Task<SessionView> IssueAsync(string sessionId, Person person, Membership? membership, IReadOnlyList<Membership> memberships,
        bool mfaVerified, DateTimeOffset now)
    {
        var refreshToken = Secrets.NewToken();
        await unit.ExecuteAsync(InsertRefreshSql, new { Hash = Secrets.Hash(refreshToken), SessionId = sessionId, Now = now });
        var lifetime = options.Value.AccessTokenLifetime;
        var setupOwed = membership is { RequiresMfa: true } && !mfaVerified;
        var subject = setupOwed
            ? new TokenSubject(null)
            : membership is null
                // No organisation yet: an enterprise user without an enterprise, who may register one and become its owner.
                ? new TokenSubject(Role.Enterprise)
                : new TokenSubject(membership.PlatformRole,
                    EnterpriseId: membership.Kind == MembershipKind.Enterprise ? membership.OrganisationId : null,
                    InstitutionId: membership.Kind == MembershipKind.Institution ? membership.OrganisationId : null,
                    Region: membership.Kind == MembershipKind.Regulator ? membership.Region ?? "" : null);
        var access = tokens.Issue(subject with
        {
            Subject = person.Id, SessionId = sessionId, MembershipId = membership?.Id,
            OrganisationRole = membership is null ? null : EnumText.ToText(membership.Role),
            Name = person.DisplayName, Organisation = membership?.OrganisationName ?? "",
        }, lifetime);
        return new SessionView(access, refreshToken, (int)lifetime.TotalSeconds, person.View, membership, memberships, setupOwed);
    }

    private sealed class RefreshRow
    {
        public DateTimeOffset? UsedAt { get; set; }
        public string SessionId { get; set; } = "";
        public string PersonId { get; set; } = "";
        public string? MembershipId { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
        public DateTimeOffset? RevokedAt { get; set; }
        public bool MfaVerified { get; set; }
    }
}
