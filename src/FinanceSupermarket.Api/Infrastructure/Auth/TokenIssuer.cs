using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using FinanceSupermarket.Domain;
using Microsoft.IdentityModel.Tokens;

namespace FinanceSupermarket.Api.Infrastructure.Auth;

/// <summary>
/// Who a token speaks for: a person's membership (or an API client), and the tenancy claims the endpoints check. No role:
/// a person who still owes the second factor their membership needs, who may only set it up.
/// </summary>
public sealed record TokenSubject(Role? Role, string? EnterpriseId = null, string? InstitutionId = null, string? Region = null)
{
    public string? Subject { get; init; }
    public string? SessionId { get; init; }
    public string? MembershipId { get; init; }
    public string? OrganisationRole { get; init; }
    public string? Name { get; init; }
    public string? Organisation { get; init; }
    public string? ClientId { get; init; }
}

/// <summary>Mints the platform's JWTs: sessions and API clients, the dev-token endpoint and the CLI.</summary>
public sealed class TokenIssuer(AuthOptions options)
{
    public string Issue(Role role, string? enterpriseId = null, string? institutionId = null, string? region = null) =>
        Issue(new TokenSubject(role, enterpriseId, institutionId, region), options.TokenLifetime);

    public string Issue(TokenSubject subject, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")) };
        if (subject.Role is { } role) claims.Add(new Claim(PlatformClaims.Role, EnumText.ToText(role)));
        Add(PlatformClaims.EnterpriseId, subject.EnterpriseId);
        Add(PlatformClaims.InstitutionId, subject.InstitutionId);
        Add(PlatformClaims.Region, subject.Region);
        Add(PlatformClaims.Subject, subject.Subject);
        Add(PlatformClaims.Session, subject.SessionId);
        Add(PlatformClaims.Membership, subject.MembershipId);
        Add(PlatformClaims.OrganisationRole, subject.OrganisationRole);
        Add(PlatformClaims.Name, subject.Name);
        Add(PlatformClaims.Organisation, subject.Organisation);
        Add(PlatformClaims.ClientId, subject.ClientId);

        // The bearer handler checks lifetimes against the real clock, not the platform's (testable) business clock.
        var now = DateTime.UtcNow;
        var token = new JwtSecurityToken(
            issuer: options.Issuer,
            audience: options.Audience,
            claims: claims,
            notBefore: now,
            expires: now + lifetime,
            signingCredentials: new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);

        void Add(string type, string? value)
        {
            if (value is not null) claims.Add(new Claim(type, value));
        }
    }

    public static SymmetricSecurityKey SigningKey(AuthOptions options) => new(Encoding.UTF8.GetBytes(options.SigningKey));
}
