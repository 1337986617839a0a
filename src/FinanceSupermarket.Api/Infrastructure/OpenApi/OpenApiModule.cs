using Microsoft.AspNetCore.OpenApi;

namespace FinanceSupermarket.Api.Infrastructure.OpenApi;

/// <summary>
/// The API's contract, /openapi/v1.json: generated from the endpoints and shaped in one place by three transformers, so
/// that an endpoint declares only what is its own (summary, description, typed results, a conflict it may answer).
/// <list type="bullet">
/// <item><see cref="ContractDocument"/>: title, security schemes, tags, the problem schemas.</item>
/// <item><see cref="ContractOperations"/>: operationId, security, problem responses and headers read off the endpoint's metadata.</item>
/// <item><see cref="ContractSchemas"/>: enums by value, decimals as decimals, nullable fields optional, examples.</item>
/// </list>
/// </summary>
public static class OpenApiModule
{
    public const string DocumentPath = "/openapi/{documentName}.json";

    public static IServiceCollection AddPlatformOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.CreateSchemaReferenceId = type => OpenApiOptions.CreateDefaultSchemaReferenceId(type) is null ? null : SchemaName(type.Type);
            options.AddSchemaTransformer<ContractSchemas>();
            options.AddOperationTransformer<ContractOperations>();
            options.AddDocumentTransformer<ContractDocument>();
        });

    /// <summary>
    /// A schema's name, unique across the API: a nested type is named with the use case it belongs to (GetMatches.View →
    /// GetMatchesView; the generator's own "View" would give several types one name), a generic one with its arguments
    /// (Paged&lt;ListRequests.Item&gt; → PagedOfListRequestsItem).
    /// </summary>
    public static string SchemaName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsGenericType)
            return type.Name[..type.Name.IndexOf('`')] + "Of" + string.Join("And", type.GetGenericArguments().Select(SchemaName));
        return type.DeclaringType is { } useCase && !type.Name.StartsWith(useCase.Name, StringComparison.Ordinal)
            ? SchemaName(useCase) + type.Name
            : type.Name;
    }
}
