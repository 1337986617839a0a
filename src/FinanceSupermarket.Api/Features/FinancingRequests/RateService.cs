using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

public sealed record RatingBody(int Score, string? Comment);

/// <summary>The enterprise rates the service once its request is settled (贷款满意度, seeds/001).</summary>
public sealed record RateService(string Id, int Score, string? Comment) : Mediator.ICommand<RequestView>
{
    public sealed class Validator : AbstractValidator<RateService>
    {
        public Validator()
        {
            RuleFor(x => x.Score).InclusiveBetween(1, 5).WithMessage("Must be a whole score from 1 to 5.");
            RuleFor(x => x.Comment).Text(500);
        }
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, IMediator mediator) : ICommandHandler<RateService, RequestView>
    {
        private const string StateSql = "SELECT status, rating FROM financing_requests WHERE id = @Id AND enterprise_id = @EnterpriseId";
        private const string RateSql = """
            UPDATE financing_requests SET rating = @Score, rating_comment = @Comment, rated_at = @Now
            WHERE id = @Id AND rating IS NULL AND status IN ('resolved', 'expired')
            """;

        public async ValueTask<RequestView> Handle(RateService command, CancellationToken cancellationToken)
        {
            var enterpriseId = user.RequireEnterpriseId();
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                var state = await connection.QuerySingleOrDefaultAsync<State>(StateSql, new { command.Id, EnterpriseId = enterpriseId }, transaction)
                            ?? throw new NotFoundException("The financing request");
                var now = clock.GetUtcNow();
                if (await connection.ExecuteAsync(RateSql, new { command.Id, command.Score, command.Comment, Now = now }, transaction) == 0)
                    throw new ConflictException(state.Rating is not null
                        ? "The service was already rated."
                        : $"The request is {state.Status}; rate the service once it is resolved or expired.");
                await RequestTimeline.AppendAsync(connection, transaction, command.Id, now, "rated", $"{command.Score}/5 {command.Comment}".Trim());
                return 1;
            }, cancellationToken);
            return await mediator.Send(new GetRequest(command.Id), cancellationToken);
        }

        private sealed class State
        {
            public string Status { get; set; } = "";
            public int? Rating { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/rating", async (string id, RatingBody body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new RateService(id, body.Score, body.Comment), ct)))
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .WithSummary("Rate the service 1–5 with a comment (owner, once the request is resolved or expired)");
}
