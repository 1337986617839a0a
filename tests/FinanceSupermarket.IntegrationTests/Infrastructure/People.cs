using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FinanceSupermarket.Domain;
using OtpNet;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>A person signed in over HTTP: their session body and a client that sends its access token.</summary>
public sealed record SignedIn(JsonNode Session, HttpClient Client)
{
    public string AccessToken => (string)Session["accessToken"]!;
    public string RefreshToken => (string)Session["refreshToken"]!;
    public string? MembershipId => (string?)Session["membership"]?["id"];
}

/// <summary>Accounts as people use them: sign up, sign in (with a TOTP code computed on the host's clock), accept invitations.</summary>
public static class People
{
    public const string Password = "Correct-Horse-Battery-9";

    private static int _sequence;

    /// <summary>A login not used before in this run.</summary>
    public static string NewLogin(string prefix = "person") => $"{prefix}{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid():N}"[..30] + "@test.local";

    public static async Task<string> SignUpAsync(this ApiHost host, string login, string displayName = "测试用户")
    {
        var response = await host.ClientAs(null).PostJsonAsync("/api/v1/auth/sign-up", new { login, password = Password, displayName })
            .ShouldBe(HttpStatusCode.Created);
        return (string)(await response.ReadJsonAsync())["userId"]!;
    }

    public static Task<HttpResponseMessage> TrySignInAsync(this ApiHost host, string login, string? password = null, string? totp = null, string? membershipId = null) =>
        host.ClientAs(null).PostJsonAsync("/api/v1/auth/sign-in", new { login, password = password ?? Password, totp, membershipId });

    public static async Task<SignedIn> SignInAsync(this ApiHost host, string login, string? totpSecret = null, string? membershipId = null)
    {
        var response = await host.TrySignInAsync(login, totp: totpSecret is null ? null : host.Totp(totpSecret), membershipId: membershipId).ShouldBe(HttpStatusCode.OK);
        return host.Session(await response.ReadJsonAsync());
    }

    public static async Task<SignedIn> RefreshAsync(this ApiHost host, SignedIn signedIn, string? membershipId = null)
    {
        var response = await host.ClientAs(null).PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = signedIn.RefreshToken, membershipId })
            .ShouldBe(HttpStatusCode.OK);
        return host.Session(await response.ReadJsonAsync());
    }

    public static SignedIn Session(this ApiHost host, JsonNode session)
    {
        var client = host.ClientAs(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)session["accessToken"]!);
        return new SignedIn(session, client);
    }

    /// <summary>The current TOTP code of a Base32 secret at the host's (fake) time.</summary>
    public static string Totp(this ApiHost host, string base32Secret) =>
        new Totp(Base32Encoding.ToBytes(base32Secret)).ComputeTotp(host.Clock.GetUtcNow().UtcDateTime);

    /// <summary>Sets up and confirms the second factor in this session; returns the secret.</summary>
    public static async Task<string> TurnOnMfaAsync(this ApiHost host, SignedIn signedIn)
    {
        var setup = await (await signedIn.Client.PostJsonAsync("/api/v1/auth/mfa/setup", new { }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var secret = (string)setup["secret"]!;
        await signedIn.Client.PostJsonAsync("/api/v1/auth/mfa/confirm", new { code = host.Totp(secret) }).ShouldBe(HttpStatusCode.OK);
        // The next code belongs to the next 30-second step: a code is good once.
        host.Clock.Advance(TimeSpan.FromSeconds(30));
        return secret;
    }

    /// <summary>A new person who registers the enterprise and so becomes its owner: their login, id and session as its owner.</summary>
    public static async Task<(string Login, string PersonId, SignedIn Owner)> NewEnterpriseOwnerAsync(this ApiHost host, object enterprise, string prefix = "owner")
    {
        var login = NewLogin(prefix);
        var personId = await host.SignUpAsync(login);
        var signedIn = await host.SignInAsync(login);
        await signedIn.Client.PostJsonAsync("/api/v1/enterprises", enterprise).ShouldBe(HttpStatusCode.Created);
        return (login, personId, await host.RefreshAsync(signedIn));
    }

    /// <summary>The 6-digit code of the last password reset message sent to the login, read from the outbox as an admin would.</summary>
    public static async Task<string> ResetCodeSentToAsync(this ApiHost host, string login)
    {
        var outbox = await (await host.ClientAs(Role.Admin).GetAsync($"/api/v1/admin/messages?recipient={Uri.EscapeDataString(login)}")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return Regex.Match((string)outbox["items"]![0]!["body"]!, @"\b\d{6}\b").Value;
    }

    /// <summary>Invites (as the given steward) and has a new person accept; returns the person's login and the membership id.</summary>
    public static async Task<(string Login, string MembershipId)> InviteNewPersonAsync(this ApiHost host, HttpClient steward, string kind, string organisationId, string role)
    {
        var login = NewLogin(role);
        await host.SignUpAsync(login);
        var invitation = await (await steward.PostJsonAsync("/api/v1/invitations", new { organisationKind = kind, organisationId, role, login })
            .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
        var person = await host.SignInAsync(login);
        var accepted = await (await person.Client.PostJsonAsync("/api/v1/invitations/accept", new { code = (string)invitation["code"]! })
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return (login, (string)accepted["membership"]!["id"]!);
    }
}
