namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Accounts and sessions (configuration section "Accounts").</summary>
public sealed class AccountsOptions
{
    public const string Section = "Accounts";

    /// <summary>How long an access token (JWT) is good for; a deactivated person keeps access at most this long.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a session can be refreshed without signing in again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan ResetCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed sign-ins in a row that lock an account (等保 2.0, GB/T 22239-2019 身份鉴别: 登录失败处理).</summary>
    public int LockoutThreshold { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in, sign-up, refresh and reset attempts per client address in <see cref="AttemptsWindow"/>.</summary>
    public int AttemptsPerAddress { get; set; } = 60;

    /// <summary>Attempts for one login in <see cref="AttemptsWindow"/>, from any address.</summary>
    public int AttemptsPerLogin { get; set; } = 10;

    public TimeSpan AttemptsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wrong codes a password reset takes before it must be asked for again.</summary>
    public int ResetCodeAttempts { get; set; } = 5;
}
