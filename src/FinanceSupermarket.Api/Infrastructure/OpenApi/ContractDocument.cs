using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FinanceSupermarket.Api.Infrastructure.OpenApi;

/// <summary>The document's own parts: what it is, how to authenticate, the tags, and the problem bodies every error uses.</summary>
internal sealed class ContractDocument : IOpenApiDocumentTransformer
{
    public const string Bearer = "bearer";
    public const string ClientCredentials = "clientCredentials";
    public const string Problem = "ProblemDetails";
    public const string ValidationProblem = "ValidationProblemDetails";
    public const string TokenPath = "/api/v1/auth/token";

    /// <summary>Each tag (WithTags) and what it holds; a tag missing here is a lint warning.</summary>
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Accounts"] = "Sign-up, sign-in and sessions, the second factor, password resets, invitations and memberships, and the client-credentials token of an institution's system.",
        ["Enterprises"] = "An enterprise's profile (统一社会信用代码, region, industry, size).",
        ["Institutions"] = "Financial institutions, the regions they serve and their API clients.",
        ["Products"] = "The public shelves (金融超市) and an institution's own products.",
        ["Financing requests"] = "An enterprise's financing needs (融资需求): submit, follow, cancel, the ranked matches, and the result to confirm, dispute or rate.",
        ["Dispatches"] = "An institution's inbox (派单): accept or decline within the working-day deadline, then post the result (反馈).",
        ["Notifications"] = "What happened to the caller's requests and dispatches.",
        ["Statistics"] = "A regulator's figures of its region: matchmaking amounts and counts, breakdowns, overdue dispatches, disputes, exports, targets.",
        ["Administration"] = "The platform operator's lists, people, outbox, security events, calendar and audit trail.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Finance Supermarket API (金融超市)",
            Version = "1.0",
            Description = """
                The financing-matchmaking platform for small and micro enterprises: enterprises post financing needs, institutions
                list products and answer the needs dispatched to them within a working-day deadline, regulators follow the figures.

                - **Authentication.** People sign in (`POST /api/v1/auth/sign-in`) and send the access token as `Authorization: Bearer …`.
                  An institution's own system uses the OAuth 2.0 client-credentials grant (`POST /api/v1/auth/token`) with the API
                  client an institution manager registered, and acts as the institution.
                - **Errors** are RFC 9457 problems (`application/problem+json`); a 400 names each bad field in `errors`.
                - **Money** is yuan and **rates** annual percent (`3.85` = 3.85 %), both exact decimals: JSON numbers with format
                  `decimal`, at most 2 (amounts) or 3 (rates) decimal places. **Times** are UTC (RFC 3339).
                - **Enums** travel as their snake_case text exactly as listed; any other spelling is a 400.
                - **Retries.** `POST /api/v1/financing-requests` honours an `Idempotency-Key` header.
                """,
        };
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');

        var components = document.Components ??= new OpenApiComponents();
        components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A person's access token from sign-in or refresh (15 minutes), or an API client's token.",
        };
        components.SecuritySchemes[ClientCredentials] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "An institution's system: its API client's id and secret, form-encoded or as HTTP Basic (RFC 6749 §4.4).",
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(TokenPath, UriKind.Relative), Scopes = new Dictionary<string, string>() },
            },
        };

        components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        components.Schemas[Problem] = ProblemSchema(validation: false);
        components.Schemas[ValidationProblem] = ProblemSchema(validation: true);

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            if (tag.Name is not null && Tags.TryGetValue(tag.Name, out var description)) tag.Description = description;
        RemoveUnusedSchemas(document);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The schemas no operation uses any more: the generator's problem types, whose responses now name the problem schemas
    /// above, and a body read as raw JSON that an operation describes by a schema of its own.
    /// </summary>
    private static void RemoveUnusedSchemas(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        var used = new HashSet<string>();
        var text = Serialize(document, withSchemas: false);
        while (true)
        {
            var found = SchemaReference.Matches(text).Select(match => match.Groups[1].Value).Where(used.Add).ToArray();
            if (found.Length == 0) break;
            text = string.Join('\n', found.Where(schemas.ContainsKey).Select(name => Serialize(schemas[name])));
        }
        foreach (var name in schemas.Keys.Except(used).ToArray()) schemas.Remove(name);
    }

    private static readonly Regex SchemaReference = new("\"#/components/schemas/([^\"]+)\"", RegexOptions.Compiled);

    private static string Serialize(OpenApiDocument document, bool withSchemas)
    {
        var schemas = document.Components!.Schemas;
        if (!withSchemas) document.Components.Schemas = null;
        try
        {
            return Serialize((IOpenApiSerializable)document);
        }
        finally
        {
            document.Components.Schemas = schemas;
        }
    }

    private static string Serialize(IOpenApiSerializable element)
    {
        using var text = new StringWriter();
        element.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }

    /// <summary>RFC 9457 §3.1 members, any extension members (traceId), and for a 400 the bad fields.</summary>
    private static OpenApiSchema ProblemSchema(bool validation)
    {
        var text = () => new OpenApiSchema { Type = JsonSchemaType.String };
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = validation
                ? "A refused request (RFC 9457): `errors` names each field at fault (camelCase as in the body; a header by its name) with its messages."
                : "A problem (RFC 9457).",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI naming the kind of problem." },
                ["title"] = text(),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = text(),
                ["instance"] = text(),
                ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, as logged." },
            },
            AdditionalProperties = new OpenApiSchema(),
            Required = new HashSet<string> { "title", "status" },
        };
        if (validation)
        {
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Each field at fault and its messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = text() },
            };
            schema.Required.Add("errors");
            schema.Example = new JsonObject
            {
                ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                ["title"] = "One or more fields are invalid",
                ["status"] = 400,
                ["detail"] = "amount: 'Amount' must be greater than '0'.",
                ["errors"] = new JsonObject { ["amount"] = new JsonArray("'Amount' must be greater than '0'.") },
            };
        }
        else
        {
            schema.Example = new JsonObject
            {
                ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
                ["title"] = "Conflict",
                ["status"] = 409,
                ["detail"] = "The dispatch is no longer pending.",
            };
        }
        return schema;
    }
}
