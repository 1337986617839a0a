using System.Reflection;
using System.Runtime.CompilerServices;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace FinanceSupermarket.Api.Infrastructure.OpenApi;

/// <summary>
/// What every operation says alike, read off its endpoint: its operationId, who may call it, the problems it can answer
/// and the headers of its answers. An endpoint added later gets all of it from its own metadata.
/// </summary>
internal sealed class ContractOperations(IAuthorizationPolicyProvider policies) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.Description;
        var metadata = endpoint.ActionDescriptor.EndpointMetadata;
        operation.OperationId ??= UseCaseName(metadata);
        operation.Responses ??= [];

        var access = await AccessAsync(metadata);
        operation.Security = access switch
        {
            Access.Anonymous => [],
            Access.People => [Requirement(ContractDocument.Bearer, context.Document)],
            _ => [Requirement(ContractDocument.Bearer, context.Document), Requirement(ContractDocument.ClientCredentials, context.Document)],
        };

        if (endpoint.ParameterDescriptions.Count > 0 || operation.RequestBody is not null)
            Problem(operation, StatusCodes.Status400BadRequest, "A field is missing, malformed or breaks a rule: `errors` names each one.");
        if (access != Access.Anonymous)
        {
            Problem(operation, StatusCodes.Status401Unauthorized, "No valid access token: missing, expired or revoked.")
                .Headers!.TryAdd("WWW-Authenticate", Header("The scheme to authenticate with: Bearer (RFC 6750)."));
            Problem(operation, StatusCodes.Status403Forbidden, "The token is valid but its role or organisation may not do this.");
        }
        if (endpoint.ParameterDescriptions.Any(parameter => parameter.Source == BindingSource.Path))
            Problem(operation, StatusCodes.Status404NotFound, "No such resource, or not the caller's: another tenant's id answers the same.");
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
            Problem(operation, StatusCodes.Status429TooManyRequests, "Too many attempts: wait as long as Retry-After says.")
                .Headers!.TryAdd("Retry-After", Header("Seconds to wait before trying again (RFC 9110 §10.2.3).", JsonSchemaType.Integer));
        // A query bound from a record ([AsParameters]) is named as its property; binding ignores case, and the contract is camelCase.
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            if (parameter is { In: ParameterLocation.Query, Name: [var first, ..] name } && char.IsUpper(first))
                parameter.Name = char.ToLowerInvariant(first) + name[1..];
        if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(parameter => parameter.Name == Contract.IdempotencyKeyHeader) is { } key)
            DescribeIdempotency(operation, key);

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse answer) continue;
            if (status.StartsWith('4')) ProblemContent(answer, status);
            if (status == "201") (answer.Headers ??= new Dictionary<string, IOpenApiHeader>()).TryAdd("Location", Header("The URL of the resource created."));
        }
        foreach (var header in metadata.OfType<Contract.ResponseHeader>())
            if (operation.Responses.TryGetValue(header.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) && response is OpenApiResponse answer)
                (answer.Headers ??= new Dictionary<string, IOpenApiHeader>())[header.Name] = Header(header.Description);
    }

    /// <summary>
    /// The use case's name (the class whose Map declares the handler: SubmitRequest → submitRequest) unless the endpoint
    /// names itself (WithName): a name in the domain's words that stays as long as the use case does.
    /// </summary>
    private static string? UseCaseName(IEnumerable<object> metadata)
    {
        var type = metadata.OfType<MethodInfo>().FirstOrDefault()?.DeclaringType;
        while (type is not null && type.IsDefined(typeof(CompilerGeneratedAttribute))) type = type.DeclaringType;
        return type is null ? null : char.ToLowerInvariant(type.Name[0]) + type.Name[1..];
    }

    private enum Access { Anonymous, People, PeopleAndApiClients }

    /// <summary>API clients act as their institution (client-credentials tokens carry the institution role).</summary>
    private async Task<Access> AccessAsync(IList<object> metadata)
    {
        if (metadata.OfType<IAllowAnonymous>().Any()) return Access.Anonymous;
        var authorize = metadata.OfType<IAuthorizeData>().ToArray();
        if (authorize.Length == 0) return Access.Anonymous;
        var policy = await AuthorizationPolicy.CombineAsync(policies, authorize);
        var institution = EnumText.ToText(Role.Institution);
        return policy is null || policy.Requirements.OfType<RolesAuthorizationRequirement>().All(roles => roles.AllowedRoles.Contains(institution))
            ? Access.PeopleAndApiClients
            : Access.People;
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    /// <summary>A replay answers as the first call did, marked; the same key with another body is refused.</summary>
    private static void DescribeIdempotency(OpenApiOperation operation, OpenApiParameter key)
    {
        key.Description = "A key of up to 100 characters chosen by the client for this one request: a retry with the same key and body "
                          + "stores nothing new and answers as the first call did (with Idempotent-Replayed: true); the same key with "
                          + "another body is a 422.";
        Problem(operation, StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was already used with another body.");
        foreach (var (status, response) in operation.Responses!)
            if (status.StartsWith('2') && response is OpenApiResponse answer)
                (answer.Headers ??= new Dictionary<string, IOpenApiHeader>()).TryAdd(Contract.IdempotentReplayedHeader,
                    Header("`true` when this is the stored answer to an earlier call with the same Idempotency-Key; absent otherwise."));
    }

    private static OpenApiResponse Problem(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse known)
        {
            if (string.IsNullOrEmpty(known.Description) || known.Description == ReasonPhrase(status)) known.Description = description;
            known.Headers ??= new Dictionary<string, IOpenApiHeader>();
            return known;
        }
        var response = new OpenApiResponse { Description = description, Headers = new Dictionary<string, IOpenApiHeader>() };
        operation.Responses[key] = response;
        return response;
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    /// <summary>RFC 9457 problems, whoever declared the status (the generator's ProducesProblem, or the rules above).</summary>
    private static void ProblemContent(OpenApiResponse response, string status)
    {
        // An answer with a JSON body of its own (the token endpoint's RFC 6749 error) keeps it.
        if (response.Content?.Keys.Any(type => type != "application/problem+json") == true) return;
        var schema = status == "400" ? ContractDocument.ValidationProblem : ContractDocument.Problem;
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schema) },
        };
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
