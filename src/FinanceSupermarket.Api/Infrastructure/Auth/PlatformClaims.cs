namespace FinanceSupermarket.Api.Infrastructure.Auth;

/// <summary>The claim names of the HTTP contract (DESIGN.md: Authentication, Accounts and sessions).</summary>
public static class PlatformClaims
{
    public const string Role = "role";
    public const string EnterpriseId = "enterprise_id";
    public const string InstitutionId = "institution_id";
    public const string Region = "region";

    /// <summary>The person signed in, or the API client.</summary>
    public const string Subject = "sub";

    /// <summary>The session a person's token belongs to (revoked at sign-out).</summary>
    public const string Session = "sid";

    /// <summary>The membership chosen at sign-in, and the person's role in that organisation (owner, manager, …).</summary>
    public const string Membership = "mid";
    public const string OrganisationRole = "org_role";

    /// <summary>The person's display name and the organisation's name, as the timeline records who did a step.</summary>
    public const string Name = "name";
    public const string Organisation = "org";

    /// <summary>Set on a token an API client obtained by the client-credentials grant.</summary>
    public const string ClientId = "client_id";
}
