namespace FinanceSupermarket.Api.Infrastructure.OpenApi;

/// <summary>
/// What an endpoint says about itself beyond its typed results, read by <see cref="ContractOperations"/>. Everything that
/// follows from the endpoint's own metadata (authorization, rate limiting, route parameters, an Idempotency-Key header it
/// binds) is added there for every endpoint alike.
/// </summary>
public static class Contract
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string IdempotentReplayedHeader = "Idempotent-Replayed";

    /// <summary>A header the endpoint sets on a response of the given status (ETag, Idempotent-Replayed …).</summary>
    public sealed record ResponseHeader(int Status, string Name, string Description);

    /// <summary>Documents a header of a response (the transformer adds its schema, a string).</summary>
    public static TBuilder ProducesHeader<TBuilder>(this TBuilder builder, int status, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeader(status, name, description));

    /// <summary>
    /// A typed example of a request or response body, serialized with the API's own JSON settings into the schema of the
    /// type (<see cref="ContractSchemas"/>), so that the document's examples are what the API really reads and writes.
    /// </summary>
    public interface IExample<out TSelf>
    {
        static abstract TSelf Example { get; }
    }
}
