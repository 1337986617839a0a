namespace FinanceSupermarket.Api.Infrastructure.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The key that signs and checks JWTs (HMAC-SHA256, at least 32 bytes). Environment: Auth__SigningKey.</summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "finance-supermarket";
    public string Audience { get; set; } = "finance-supermarket";

    /// <summary>Serve POST /api/v1/dev/tokens. On in the Development environment unless set; off otherwise.</summary>
    public bool? DevTokens { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);
}
