using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Globalization;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using FinanceSupermarket.Api.Infrastructure.OpenApi;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The body an enterprise posts: its financing need (融资需求).</summary>
public sealed record RequestTerms(
    decimal Amount, int TermMonths, [property: Required] FinancingPurpose? Purpose, IReadOnlyList<GuaranteeMode> GuaranteeModes, decimal? MaxRate,
    DateOnly? NeededBy, [property: MultiLine] string? Description) : Contract.IExample<RequestTerms>
{
    public static RequestTerms Example => new(1_000_000m, 12, FinancingPurpose.WorkingCapital, [GuaranteeMode.Credit, GuaranteeMode.Pledge], 4.5m,
        new DateOnly(2026, 6, 30), "采购原材料，扩大订单生产");
}

/// <summary>A message carrying a request's terms: submitting them, or previewing what they would match.</summary>
public interface ITermsMessage
{
    RequestTerms Body { get; }
}

public static class TermsRules
{
    /// <summary>How far ahead neededBy may lie: a need is for the coming months, and five years ahead is generous already.</summary>
    public const int MaxYearsAhead = 5;

    /// <summary>The rules of a request's terms, named as the JSON body names them (amount, not body.amount).</summary>
    public static void AddTermsRules<T>(this AbstractValidator<T> validator, TimeProvider clock) where T : ITermsMessage
    {
        validator.RuleFor(x => x.Body.Amount).Money().OverridePropertyName("Amount");
        validator.RuleFor(x => x.Body.TermMonths).TermMonths().OverridePropertyName("TermMonths");
        validator.RuleFor(x => x.Body.Purpose).NotNull().OverridePropertyName("Purpose")
            .WithMessage(_ => RuleTexts.Say("OneOf", string.Join(", ", EnumText.AllTexts<FinancingPurpose>())));
        validator.RuleFor(x => x.Body.GuaranteeModes).NotEmpty().DistinctList(4).OverridePropertyName("GuaranteeModes");
        validator.RuleFor(x => x.Body.MaxRate!.Value).AnnualRate().OverridePropertyName("MaxRate").When(x => x.Body.MaxRate is not null);
        validator.RuleFor(x => x.Body.NeededBy!.Value)
            .Must(date => date >= clock.PlatformToday().AddDays(-1))
            .WithMessage(_ => RuleTexts.Say("NotPast"))
            .Must(date => date <= clock.PlatformToday().AddYears(MaxYearsAhead))
            .WithMessage(_ => RuleTexts.Say("WithinYears", MaxYearsAhead))
            .OverridePropertyName("NeededBy").When(x => x.Body.NeededBy is not null);
        validator.RuleFor(x => x.Body.Description).Text(2000).OverridePropertyName("Description");
    }
}

/// <summary>
/// An enterprise submits a financing need. A retry with the same Idempotency-Key returns the first request and stores
/// nothing new (the idea of eShop's IdentifiedCommand); the same key with another body is refused.
/// </summary>
public sealed record SubmitRequest(RequestTerms Body, [property: Field("Idempotency-Key")] string? IdempotencyKey) : Mediator.ICommand<SubmitRequest.Result>, ITermsMessage
{
    public sealed record Result(string Id, RequestStatus Status, bool Replayed);

    /// <summary>The answer: the new request's id and status (a replay: the first request's, as they are now).</summary>
    public sealed record Submitted(string Id, RequestStatus Status) : Contract.IExample<Submitted>
    {
        public static Submitted Example => new("019ac3a4-6b1e-7c1f-9d2a-3f4e5a6b7c8d", RequestStatus.Submitted);
    }

    public sealed class Validator : AbstractValidator<SubmitRequest>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(x => x.IdempotencyKey).Text(100).OverridePropertyName("Idempotency-Key");
            RuleFor(x => x.IdempotencyKey).NotEmpty().When(x => x.IdempotencyKey is not null).OverridePropertyName("Idempotency-Key")
                .WithMessage("Must not be empty: send a key of up to 100 characters, or no header.");
            this.AddTermsRules(clock);
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, CurrentUser user, IOptions<WorkflowOptions> options, TimeProvider clock)
        : ICommandHandler<SubmitRequest, Result>
    {
        private const string EnterpriseSql = """
            SELECT region_code AS RegionCode, industry_code AS IndustryCode, has_loan_history AS HasLoanHistory FROM enterprises WHERE id = @EnterpriseId
            """;

        private const string FindByKeySql = """
            SELECT id, status, body_hash AS BodyHash FROM financing_requests WHERE enterprise_id = @EnterpriseId AND idempotency_key = @IdempotencyKey
            """;

        private const string InsertSql = """
            INSERT INTO financing_requests (id, enterprise_id, region_code, industry_code, amount, term_months, purpose, guarantee_modes,
                                            max_rate, needed_by, description, status, idempotency_key, body_hash, submitted_at, updated_at)
            VALUES (@Id, @EnterpriseId, @RegionCode, @IndustryCode, @Amount, @TermMonths, @Purpose, @GuaranteeModes,
                    @MaxRate, @NeededBy, @Description, @Status, @IdempotencyKey, @BodyHash, @Now, @Now)
            """;

        // The same need twice: another open request of the enterprise with the same purpose, its amount within the tolerance (20 %).
        private const string LikeOpenSql = """
            SELECT id FROM financing_requests
            WHERE enterprise_id = @EnterpriseId AND id <> @Id AND purpose = @Purpose AND amount BETWEEN @Low AND @High
              AND status IN ('submitted', 'published', 'dispatched')
            ORDER BY submitted_at
            """;
        private const string LinkSql = "UPDATE financing_requests SET duplicate_of = @DuplicateOf WHERE id = @Id";

        public async ValueTask<Result> Handle(SubmitRequest command, CancellationToken cancellationToken)
        {
            var enterpriseId = user.RequireEnterpriseId();
            var bodyHash = Hash(command.Body);
            if (await FindReplayAsync(enterpriseId, command.IdempotencyKey, bodyHash) is { } replay) return replay;

            var enterprise = await unit.QuerySingleOrDefaultAsync<EnterpriseRegion>(EnterpriseSql, new { EnterpriseId = enterpriseId })
                             ?? throw new ConflictException(RuleTexts.Say("ProfileFirst"));
            var id = Guid.CreateVersion7().ToString();
            var now = clock.GetUtcNow();
            var body = command.Body;
            try
            {
                await unit.ExecuteAsync(InsertSql, new
                {
                    Id = id, EnterpriseId = enterpriseId, enterprise.RegionCode, enterprise.IndustryCode, body.Amount, body.TermMonths,
                    Purpose = EnumText.ToText(body.Purpose!.Value), GuaranteeModes = EnumText.Join(body.GuaranteeModes), body.MaxRate,
                    body.NeededBy, body.Description, Status = EnumText.ToText(RequestStatus.Submitted), command.IdempotencyKey,
                    BodyHash = bodyHash, Now = now,
                });
            }
            catch (Exception exception) when (unit.Dialect.IsUniqueViolation(exception))
            {
                // A concurrent retry with the same key won the race: answer as it did.
                await unit.AbandonAsync();
                if (await FindReplayAsync(enterpriseId, command.IdempotencyKey, bodyHash) is { } winner) return winner;
                throw;
            }
            var detail = $"{body.Amount:N2} yuan for {body.TermMonths} months";
            var tolerance = options.Value.NearDuplicateTolerance;
            var like = tolerance <= 0 ? null : await unit.QuerySingleOrDefaultAsync<string>(unit.Dialect.Top(LikeOpenSql), new
            {
                Id = id, EnterpriseId = enterpriseId, Purpose = EnumText.ToText(body.Purpose!.Value),
                Low = body.Amount * (1 - tolerance), High = body.Amount * (1 + tolerance), Take = 1,
            });
            if (like is not null) await unit.ExecuteAsync(LinkSql, new { Id = id, DuplicateOf = like });
            await steps.TryMoveAsync(like is null ? Transitions.Submitted : Transitions.SubmittedAsDuplicate, new RequestStep(id, enterpriseId, enterprise.RegionCode)
            {
                SubmittedAt = now, FirstLoan = !enterprise.HasLoanHistory,
                Detail = like is null ? detail : $"{detail}; held: like open request {like} — confirm it is a new need / 与未完成的需求相似，待企业确认是否为新需求",
            }, now);
            return new Result(id, RequestStatus.Submitted, Replayed: false);
        }

        private async Task<Result?> FindReplayAsync(string enterpriseId, string? idempotencyKey, string bodyHash)
        {
            if (idempotencyKey is null) return null;
            var first = await unit.QuerySingleOrDefaultAsync<KeyedRequest>(FindByKeySql, new { EnterpriseId = enterpriseId, IdempotencyKey = idempotencyKey });
            if (first is null) return null;
            if (first.BodyHash != bodyHash)
                throw new UnprocessableException("This Idempotency-Key was already used for a different request body; use a new key for a new request.");
            return new Result(first.Id, EnumText.Parse<RequestStatus>(first.Status), Replayed: true);
        }

        /// <summary>A canonical form of the body, so that 3000000 and 3000000.00 count as the same request.</summary>
        private static string Hash(RequestTerms body)
        {
            var canonical = string.Join('|', body.Amount.ToString("0.##", CultureInfo.InvariantCulture), body.TermMonths, body.Purpose,
                EnumText.Join(body.GuaranteeModes.Order()), body.MaxRate?.ToString("0.###", CultureInfo.InvariantCulture),
                body.NeededBy?.ToString("O", CultureInfo.InvariantCulture), body.Description);
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        }

        private sealed class EnterpriseRegion
        {
            public string RegionCode { get; set; } = "";
            public string IndustryCode { get; set; } = "";
            public bool HasLoanHistory { get; set; }
        }

        private sealed class KeyedRequest
        {
            public string Id { get; set; } = "";
            public string Status { get; set; } = "";
            public string? BodyHash { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (RequestTerms body, [FromHeader(Name = Contract.IdempotencyKeyHeader)] string? idempotencyKey, HttpResponse response,
                IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new SubmitRequest(body, idempotencyKey), ct);
                if (result.Replayed) response.Headers[Contract.IdempotentReplayedHeader] = "true";
                return TypedResults.Created($"/api/v1/financing-requests/{result.Id}", new Submitted(result.Id, result.Status));
            })
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("submitFinancingRequest")
            .WithDescription("The enterprise posts a financing need: amount (yuan), term, purpose, acceptable guarantee modes, optionally the highest rate and the date needed by. It is published and dispatched at once to the best-ranked institutions (三个第一), each of which must answer within the working-day deadline. A retry with the same `Idempotency-Key` and body stores nothing new and answers as the first call did; a need like an open one of the same purpose is held (`duplicateOf`) until the owner says it is new.")
            .WithSummary("Submit a financing need; honours the Idempotency-Key header");
}
