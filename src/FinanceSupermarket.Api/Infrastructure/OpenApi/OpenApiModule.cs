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
            options.AddSchemaTransformer<ContractSchemas>();
            options.AddOperationTransformer<ContractOperations>();
            options.AddDocumentTransformer<ContractDocument>();
        });
}
