using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace FinanceSupermarket.Api.Infrastructure.Http;

/// <summary>
/// Conditional changes (RFC 9110 §13): a record's ETag is its row version, and a change made with If-Match goes through
/// only when the record is still at a version the client names. The check that counts is the UPDATE's own
/// <c>WHERE row_version = @Version</c>: what <see cref="Check"/> decides before it only gives the clearer answer.
/// </summary>
public static class EntityTags
{
    public const string IfMatchHeader = "If-Match";

    /// <summary>The strong ETag of a row version: "7".</summary>
    public static string Of(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>
    /// The version a change may be made from: the current one when <paramref name="ifMatch"/> names it (or is "*"),
    /// else 412; with no If-Match at all, 428 when the change <paramref name="required"/> one, the current version otherwise.
    /// </summary>
    public static long Check(string? ifMatch, long current, bool required)
    {
        if (ifMatch is null)
            return required ? throw new PreconditionRequiredException() : current;
        return Matches(ifMatch, current) ? current : throw new PreconditionFailedException();
    }

    /// <summary>
    /// If-Match's strong comparison (RFC 9110 §13.1.1): "*", or a listed entity-tag equal to the current one; a weak
    /// tag (W/"7") never matches.
    /// </summary>
    public static bool Matches(string ifMatch, long current) =>
        ifMatch.Trim() == "*" || Parse(ifMatch) is { } tags && tags.Any(tag => !tag.IsWeak && tag.Tag.Equals(Of(current), StringComparison.Ordinal));

    /// <summary>Well-formed If-Match: "*" or a comma-separated list of entity-tags (RFC 9110 §13.1.1, §8.8.3).</summary>
    public static bool IsWellFormed(string ifMatch) => ifMatch.Trim() == "*" || Parse(ifMatch) is { Count: > 0 };

    private static IList<EntityTagHeaderValue>? Parse(string ifMatch) =>
        EntityTagHeaderValue.TryParseStrictList([ifMatch], out var tags) && tags.All(tag => !tag.Equals(EntityTagHeaderValue.Any)) ? tags : null;

    /// <summary>The If-Match header, when sent, is well-formed (400 naming If-Match otherwise).</summary>
    public static IRuleBuilderOptions<T, string?> IfMatch<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || IsWellFormed(value)).OverridePropertyName(IfMatchHeader)
            .WithMessage("Must be \"*\" or the ETag of the version the change is made from, such as \"7\" (with the quotes).");

    /// <summary>A 200 answer with a record, its version in the ETag header.</summary>
    public static Ok<T> OkWithETag<T>(this HttpResponse response, T record, long version)
    {
        response.Headers.ETag = Of(version);
        return TypedResults.Ok(record);
    }

    /// <summary>
    /// Documents the endpoint's ETag in the OpenAPI document: the header of its 200 answer (unless that answer is not the
    /// record) and, for a change (<paramref name="ifMatchRequired"/> not null), its If-Match and the 412 (and 428 where
    /// required) it may answer.
    /// </summary>
    public static RouteHandlerBuilder WithEntityTag(this RouteHandlerBuilder endpoint, bool? ifMatchRequired = null, bool answersWithETag = true)
    {
        if (ifMatchRequired is { } required)
        {
            endpoint.ProducesProblem(StatusCodes.Status412PreconditionFailed);
            if (required) endpoint.ProducesProblem(StatusCodes.Status428PreconditionRequired);
        }
        return endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (ifMatchRequired is { } required)
                (operation.Parameters ??= []).Add(new OpenApiParameter
                {
                    Name = IfMatchHeader, In = ParameterLocation.Header, Required = required, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "The ETag of the version the change is made from (read it with GET); \"*\" for any version.",
                });
            if (answersWithETag && operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
                (ok.Headers ??= new Dictionary<string, IOpenApiHeader>())["ETag"] = new OpenApiHeader
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "The record's version, a strong entity-tag (\"7\"): what a change names in If-Match.",
                };
            return Task.CompletedTask;
        });
    }

    /// <summary>The client's If-Match header, null when it sent none.</summary>
    public static string? IfMatchOf(HttpRequest request) =>
        request.Headers.TryGetValue(IfMatchHeader, out var values) ? values.ToString() : null;
}

/// <summary>The record changed since the version the client named (412): it changes nothing and should read it again.</summary>
public sealed class PreconditionFailedException()
    : Exception("The record was changed since the version named in If-Match: read it again (its ETag) and make the change from there.");

/// <summary>A change that must name the version it is made from and did not (428, RFC 6585 §3).</summary>
public sealed class PreconditionRequiredException()
    : Exception("This change must be conditional: send If-Match with the ETag of the version it is made from (read it with GET).");
