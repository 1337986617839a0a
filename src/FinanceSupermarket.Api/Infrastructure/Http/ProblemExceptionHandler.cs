using System.Text.Json;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Portal;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Infrastructure.Http;

/// <summary>Turns the platform's exceptions, and malformed request bodies, into RFC 9457 problem responses.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, Db db, IOptions<LoadSheddingOptions> shedding,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // A page that fails shows the portal's error page (its own exception handler), never a JSON problem. The middleware
        // has already pointed the request at that page: where it failed is in its path feature.
        var failedAt = context.Features.Get<IExceptionHandlerPathFeature>()?.Path is { } path ? new PathString(path) : context.Request.Path;
        if (!PortalModule.IsApi(failedAt)) return false;
        var problem = exception switch
        {
            ValidationException validation => ValidationProblem(validation.Errors
                .GroupBy(error => CamelCasePath(error.PropertyName))
                .ToDictionary(group => group.Key, group => group.Select(error => error.ErrorMessage).Distinct().ToArray())),
            BadHttpRequestException { InnerException: JsonException json } => ValidationProblem(new Dictionary<string, string[]>
            {
                [FieldOf(json)] = [BodyErrorMessage(json)],
            }),
            // An empty or null body, or a query/route value of the wrong type: still a 400 naming what is at fault.
            BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad => ValidationProblem(new Dictionary<string, string[]>
            {
                [ParameterOf(bad)] = [IsAboutBody(bad) ? "A JSON object is required." : "The value has the wrong type."],
            }),
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            NotFoundException notFound => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = notFound.Message },
            ConflictException conflict => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = conflict.Message },
            UnprocessableException unprocessable => new ProblemDetails { Status = StatusCodes.Status422UnprocessableEntity, Title = "Unprocessable request", Detail = unprocessable.Message },
            TooManyRequestsException tooMany => new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = tooMany.Message },
            PreconditionFailedException stale => new ProblemDetails { Status = StatusCodes.Status412PreconditionFailed, Title = "Precondition failed", Detail = stale.Message },
            PreconditionRequiredException unconditional => new ProblemDetails
            {
                Status = StatusCodes.Status428PreconditionRequired, Title = "Precondition required", Detail = unconditional.Message,
            },
            ForbiddenException forbidden => new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = forbidden.Message },
            // Past what the database can take right now (load shedding lets through writes it has room for; reads and a
            // pool shared with the jobs can still run it dry): the same answer as load shedding, and nothing was stored.
            _ when db.Dialect.IsBusy(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable",
                Detail = "The platform is busy; nothing was changed. Try again after the Retry-After interval.",
            },
            // Anything else is the platform's fault: logged below, with its stack.
            _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError },
        };

        if (problem.Status < 500) logger.LogInformation("Request answered {Status}: {Reason}", problem.Status, exception.Message);
        else if (problem.Status == StatusCodes.Status503ServiceUnavailable) logger.LogWarning("Request shed, the database busy: {Reason}", exception.Message);
        // The exception handler middleware logs no exception that an IExceptionHandler handled (ASP.NET Core 10).
        else logger.LogError(exception, "Request failed: {Method} {Path}", context.Request.Method, failedAt);
        context.Response.StatusCode = problem.Status!.Value;
        if (exception is TooManyRequestsException { RetryAfter: var retryAfter })
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = shedding.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails ValidationProblem(IDictionary<string, string[]> errors) =>
        new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid",
            Detail = string.Join(" ", errors.SelectMany(pair => pair.Value.Select(message => $"{pair.Key}: {message}"))),
        };

    /// <summary>"$.guaranteeModes[1]" → "guaranteeModes[1]"; the whole body when the JSON itself is broken.</summary>
    private static string FieldOf(JsonException json) =>
        !IsSyntaxError(json) && json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? CamelCasePath(path[2..]) : "body";

    private static string BodyErrorMessage(JsonException json) => IsSyntaxError(json)
        ? $"The request body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine})."
        : IsDuplicate(json)
            ? "Must be given once: the body names this field more than once."
            : json.Path is { Length: > 2 }
                ? "The value has the wrong type or is not one of the allowed values."
                : "The request body must be a JSON object.";

    /// <summary>System.Text.Json says so only in its message ("Duplicate property 'amount' encountered …", JsonSetup).</summary>
    private static bool IsDuplicate(JsonException json) =>
        json.InnerException is null && json.Message.StartsWith("Duplicate property", StringComparison.Ordinal);

    /// <summary>The reader's own error (truncated or malformed text) comes wrapped; a value of the wrong type does not.</summary>
    private static bool IsSyntaxError(JsonException json) => json.InnerException is JsonException;

    private static bool IsAboutBody(BadHttpRequestException bad) =>
        bad.Message.EndsWith("from body.", StringComparison.Ordinal) || bad.Message.Contains("no body was provided", StringComparison.Ordinal);

    /// <summary>'Failed to bind parameter "int? Page" from "x".' → "page"; a missing body → "body".</summary>
    private static string ParameterOf(BadHttpRequestException bad)
    {
        if (IsAboutBody(bad)) return "body";
        var match = Regex.Match(bad.Message, "parameter \"(?:[^\"]* )?(?<name>[^\" ]+)\"");
        return match.Success ? CamelCasePath(match.Groups["name"].Value) : "request";
    }

    /// <summary>FluentValidation names "GuaranteeModes[0]"; the JSON contract says "guaranteeModes[0]". A header ("Idempotency-Key") keeps its spelling.</summary>
    private static string CamelCasePath(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(part => part.Length == 0 || part.Contains('-') ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
