using FinanceSupermarket.Api.Infrastructure.Validation;
using System.Threading.RateLimiting;
using FinanceSupermarket.Api.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Attempts per login at sign-in, sign-up, refresh and password reset (the per-address limit is ASP.NET Core's rate
/// limiter middleware, <see cref="AccountsModule.RateLimitPolicy"/>): one person's login cannot be tried faster than
/// this from many addresses. Fixed windows starting at a login's first attempt.
/// </summary>
public sealed class SignInAttempts(IOptions<AccountsOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perLogin = PartitionedRateLimiter.Create<string, string>(login =>
        RateLimitPartition.GetFixedWindowLimiter(login, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.AttemptsPerLogin, Window = options.Value.AttemptsWindow, QueueLimit = 0,
        }));

    /// <summary>Takes one attempt for the login, or refuses with 429 and when to try again.</summary>
    public void Take(string? clientAddress, string login)
    {
        using var lease = _perLogin.AttemptAcquire(Logins.Normalise(login));
        if (!lease.IsAcquired)
            throw new TooManyRequestsException(RuleTexts.Say("TooManyAttempts"),
                lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Value.AttemptsWindow);
    }

    public void Dispose() => _perLogin.Dispose();
}
