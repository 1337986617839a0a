namespace FinanceSupermarket.Api.Infrastructure.Http;

/// <summary>Unknown, or not the caller's: both answer 404 so that no other tenant's id is revealed.</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>A state change that the resource's current state forbids (409).</summary>
public sealed class ConflictException(string message) : Exception(message);

/// <summary>A well-formed request that cannot be processed, e.g. an idempotency key reused with another body (422).</summary>
public sealed class UnprocessableException(string message) : Exception(message);

/// <summary>Too many attempts of something rate-limited (429, with Retry-After).</summary>
public sealed class TooManyRequestsException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
