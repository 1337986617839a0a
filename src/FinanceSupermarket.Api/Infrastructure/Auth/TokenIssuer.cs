using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using FinanceSupermarket.Domain;
using Microsoft.IdentityModel.Tokens;

namespace FinanceSupermarket.Api.Infrastructure.Auth;

/// <summary>Mints the platform's JWTs; the dev-token endpoint and the CLI both use it.</summary>
public sealed class TokenIssuer(AuthOptions options)
{
    public string Issue(Role role, string? enterpriseId = null, string? institutionId = null, string? region = null)
    {
        var claims = new List<Claim> { new(PlatformClaims.Role, EnumText.ToText(role)), new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")) };
        if (enterpriseId is not null) claims.Add(new Claim(PlatformClaims.EnterpriseId, enterpriseId));
        if (institutionId is not null) claims.Add(new Claim(PlatformClaims.InstitutionId, institutionId));
        if (region is not null) claims.Add(new Claim(PlatformClaims.Region, region));

        // The bearer handler checks lifetimes against the real clock, not the platform's (testable) business clock.
        var now = DateTime.UtcNow;
        var token = new JwtSecurityToken(
            issuer: options.Issuer,
            audience: options.Audience,
            claims: claims,
            notBefore: now,
            expires: now + options.TokenLifetime,
            signingCredentials: new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    public static SymmetricSecurityKey SigningKey(AuthOptions options) => new(Encoding.UTF8.GetBytes(options.SigningKey));
}
