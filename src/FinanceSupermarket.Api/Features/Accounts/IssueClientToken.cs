using Microsoft.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Net.Http.Headers;
using System.Text;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using Mediator;
using Microsoft.Extensions.Options;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Infrastructure.OpenApi;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4): an institution's own system trades its client id and secret
/// for an access token that acts as the institution (role institution), e.g. to read its dispatch inbox and post
/// feedback. Credentials come in the form body or as HTTP Basic (§2.3.1); errors are RFC 6749 §5.2 bodies.
/// </summary>
public sealed record IssueClientToken([property: Field("client_id")] string ClientId, [property: Field("client_secret"), Secret] string ClientSecret) : Mediator.ICommand<IssueClientToken.Token?>
{
    /// <summary>The token response of RFC 6749 §5.1, in its own snake_case names.</summary>
    public sealed record Token(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

    /// <summary>The form of the request (RFC 6749 §4.4.2); the id and secret may come as HTTP Basic instead (§2.3.1).</summary>
    public sealed record Grant(
        [property: System.Text.Json.Serialization.JsonPropertyName("grant_type")] GrantType GrantType,
        [property: System.Text.Json.Serialization.JsonPropertyName("client_id")] string? ClientId,
        [property: System.Text.Json.Serialization.JsonPropertyName("client_secret")] string? ClientSecret);

    public enum GrantType
    {
        ClientCredentials,
    }

    /// <summary>The error response of RFC 6749 §5.2: invalid_request, invalid_client or unsupported_grant_type, and why.</summary>
    public sealed record Error(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Code,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string Description);

    public sealed class Handler(UnitOfWork unit, TokenIssuer tokens, CurrentUser user, IOptions<AccountsOptions> options, TimeProvider clock)
        : ICommandHandler<IssueClientToken, Token?>
    {
        private const string FindSql = """
            SELECT c.client_id AS ClientId, c.institution_id AS InstitutionId, c.name, c.secret_hash AS SecretHash, i.name AS InstitutionName
            FROM api_clients c JOIN institutions i ON i.id = c.institution_id
            WHERE c.client_id = @ClientId AND c.revoked_at IS NULL
            """;
        private const string UsedSql = "UPDATE api_clients SET last_used_at = @Now WHERE client_id = @ClientId";

        /// <summary>The token, or null for an unknown or revoked client or a wrong secret (recorded as a security event).</summary>
        public async ValueTask<Token?> Handle(IssueClientToken command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var client = command.ClientId.Length <= 36 ? await unit.QuerySingleOrDefaultAsync<ClientRow>(FindSql, new { command.ClientId }) : null;
            if (client is null || !CryptographicEquals(client.SecretHash, Secrets.Hash(command.ClientSecret)))
            {
                await SecurityEvents.RecordAsync(unit, now, SecurityEvents.ClientTokenRefused, null, command.ClientId[..Math.Min(36, command.ClientId.Length)],
                    user.ClientAddress);
                return null;
            }
            await unit.ExecuteAsync(UsedSql, new { client.ClientId, Now = now });
            var lifetime = options.Value.AccessTokenLifetime;
            var access = tokens.Issue(new TokenSubject(Role.Institution, InstitutionId: client.InstitutionId)
            {
                Subject = client.ClientId, ClientId = client.ClientId, Name = client.Name, Organisation = client.InstitutionName,
            }, lifetime);
            return new Token(access, "Bearer", (int)lifetime.TotalSeconds);
        }

        private static bool CryptographicEquals(string a, string b) =>
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

        private sealed class ClientRow
        {
            public string ClientId { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string Name { get; set; } = "";
            public string SecretHash { get; set; } = "";
            public string InstitutionName { get; set; } = "";
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/token", async Task<Results<Ok<Token>, JsonHttpResult<Error>>> (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                if (!request.HasFormContentType) return OAuthError("invalid_request", "Send application/x-www-form-urlencoded (RFC 6749 §4.4.2).");
                IFormCollection form;
                try
                {
                    form = await request.ReadFormAsync(ct);
                }
                catch (InvalidDataException malformed)
                {
                    // A NUL (%00) in a value, or a form past the size limits.
                    return OAuthError("invalid_request", malformed.Message);
                }
                if (form["grant_type"] != "client_credentials") return OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
                var (clientId, clientSecret) = BasicCredentials(request) ?? (form["client_id"].ToString(), form["client_secret"].ToString());
                if (clientId.Length == 0 || clientSecret.Length == 0) return OAuthError("invalid_request", "client_id and client_secret are required.");
                IssueClientToken.Token? token;
                try
                {
                    token = await mediator.Send(new IssueClientToken(clientId, clientSecret), ct);
                }
                catch (FluentValidation.ValidationException invalid)
                {
                    // RFC 6749 §5.2 has its own error body: a malformed credential is an invalid_request, naming the field.
                    return OAuthError("invalid_request", string.Join(" ", invalid.Errors.Select(error => $"{error.PropertyName}: {error.ErrorMessage}")));
                }
                request.HttpContext.Response.Headers.CacheControl = "no-store";
                return token is null ? OAuthError("invalid_client", "Unknown client, revoked client or wrong secret.", StatusCodes.Status401Unauthorized) : TypedResults.Ok(token);
            })
            // The form is read by hand (a JSON body is an RFC 6749 error, not a 415): described here, not bound.
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(Grant), cancellationToken: ct);
                context.Document!.AddComponent(nameof(IssueClientToken) + nameof(Grant), schema);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/x-www-form-urlencoded"] = new() { Schema = new OpenApiSchemaReference(nameof(IssueClientToken) + nameof(Grant), context.Document) },
                    },
                };
            })
            .Produces<Error>(StatusCodes.Status400BadRequest)
            .Produces<Error>(StatusCodes.Status401Unauthorized)
            .ProducesHeader(StatusCodes.Status200OK, "Cache-Control", "no-store: the token is not to be cached (RFC 6749 §5.1).")
            .AllowAnonymous()
            .DisableAntiforgery()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .WithDescription("An institution's own system trades its API client's id and secret (form fields or HTTP Basic) for an access token that acts as the institution, valid for `expires_in` seconds. Errors are RFC 6749 §5.2 bodies, not problems.")
            .WithSummary("OAuth 2.0 client-credentials grant for an institution's API client (form-encoded, RFC 6749 §4.4)");

    private static JsonHttpResult<Error> OAuthError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new Error(error, description), statusCode: status);

    /// <summary>client_secret_basic: "Authorization: Basic base64(urlencode(id):urlencode(secret))".</summary>
    private static (string, string)? BasicCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Scheme != "Basic" || header.Parameter is null) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)).Split(':', 2);
            return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
