using Dapper;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain.Calendar;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>
/// An institution's own service figures (贷款申请限时答复制) over the dispatches it was sent in a period, beside the same
/// figures of the whole platform: how many answers were owed and given in time, how many results were approvals, the median
/// hours from dispatch to the first answer, and the enterprises' ratings of the requests it resolved.
/// </summary>
public sealed record GetInstitutionFigures(string InstitutionId, DateOnly? From, DateOnly? To) : IQuery<GetInstitutionFigures.View>
{
    /// <param name="AnswersDue">Dispatches whose answer was given or whose deadline passed without one.</param>
    /// <param name="OnTimeAnswerRate">Answers given by their deadline, of those due (0–1); null when none was due.</param>
    /// <param name="ApprovalRate">Approvals of the results given (0–1); null when no result was given.</param>
    /// <param name="MedianHoursToFirstAnswer">Hours from dispatch to the answer (accepted or declined), the median; null when none was answered.</param>
    /// <param name="AverageRating">The enterprises' average rating (1–5) of the requests the institution resolved; null when none was rated.</param>
    public sealed record ServiceFigures(
        long Dispatched, long AnswersDue, double? OnTimeAnswerRate, long Results, double? ApprovalRate, double? MedianHoursToFirstAnswer,
        long Ratings, double? AverageRating);

    /// <param name="Platform">The same figures over every institution's dispatches of the period.</param>
    public sealed record View(DateOnly From, DateOnly To, ServiceFigures Institution, ServiceFigures Platform);

    public sealed class Validator : AbstractValidator<GetInstitutionFigures>
    {
        public Validator() =>
            RuleFor(x => x.To).GreaterThanOrEqualTo(x => x.From).When(x => x.From is not null && x.To is not null).WithMessage(_ => RuleTexts.Say("NotBeforeFrom"));
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock) : IQueryHandler<GetInstitutionFigures, View>
    {
        // Own = 1 for the institution's dispatches; the platform is both rows together.
        private const string SumsSql = """
            SELECT CASE WHEN d.institution_id = @InstitutionId THEN 1 ELSE 0 END AS Own, COUNT(*) AS Dispatched,
                   SUM(CASE WHEN d.answered_at IS NOT NULL OR d.status = 'overdue' THEN 1 ELSE 0 END) AS AnswersDue,
                   SUM(CASE WHEN d.answered_on_time = @True THEN 1 ELSE 0 END) AS AnsweredOnTime,
                   SUM(CASE WHEN d.outcome IS NOT NULL THEN 1 ELSE 0 END) AS Results,
                   SUM(CASE WHEN d.outcome = 'approved' THEN 1 ELSE 0 END) AS Approved
            FROM dispatches d
            WHERE d.dispatched_at >= @Start AND d.dispatched_at < @End
            GROUP BY CASE WHEN d.institution_id = @InstitutionId THEN 1 ELSE 0 END
            """;
        private const string AnswerTimesSql = """
            SELECT CASE WHEN d.institution_id = @InstitutionId THEN 1 ELSE 0 END AS Own, d.dispatched_at AS DispatchedAt, d.answered_at AS AnsweredAt
            FROM dispatches d
            WHERE d.dispatched_at >= @Start AND d.dispatched_at < @End AND d.answered_at IS NOT NULL
            """;
        private const string RatingsSql = """
            SELECT CASE WHEN r.approved_institution_id = @InstitutionId THEN 1 ELSE 0 END AS Own, COUNT(*) AS Ratings, SUM(r.rating) AS RatingSum
            FROM financing_requests r
            WHERE r.rating IS NOT NULL AND r.rated_at >= @Start AND r.rated_at < @End
            GROUP BY CASE WHEN r.approved_institution_id = @InstitutionId THEN 1 ELSE 0 END
            """;

        public async ValueTask<View> Handle(GetInstitutionFigures query, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(query.InstitutionId);
            var today = clock.PlatformToday();
            var from = query.From ?? new DateOnly(today.Year, 1, 1);
            var to = query.To ?? today;
            var parameters = new
            {
                query.InstitutionId, True = true, Start = StartOf(from), End = StartOf(to.AddDays(1)),
            };
            await using var connection = await db.OpenAsync(cancellationToken);
            var sums = (await connection.QueryAsync<Sums>(SumsSql, parameters)).ToDictionary(row => row.Own == 1);
            var ratings = (await connection.QueryAsync<RatingSums>(RatingsSql, parameters)).ToDictionary(row => row.Own == 1);
            Samples own = new(), all = new();
            foreach (var answer in await connection.QueryAsync<AnswerTime>(AnswerTimesSql, parameters))
            {
                var hours = (answer.AnsweredAt - answer.DispatchedAt).TotalHours;
                all.Add(hours);
                if (answer.Own == 1) own.Add(hours);
            }
            var mine = sums.GetValueOrDefault(true) ?? new Sums();
            var platform = mine.Plus(sums.GetValueOrDefault(false));
            var myRatings = ratings.GetValueOrDefault(true) ?? new RatingSums();
            var allRatings = myRatings.Plus(ratings.GetValueOrDefault(false));
            return new View(from, to, mine.Figures(own, myRatings), platform.Figures(all, allRatings));
        }

        /// <summary>The day's first instant in Shanghai, where the platform's days are counted.</summary>
        private static DateTimeOffset StartOf(DateOnly day) =>
            new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), WorkingDayCalendar.PlatformTimeZone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUniversalTime();

        private sealed class Sums
        {
            public long Own { get; set; }
            public long Dispatched { get; set; }
            public long AnswersDue { get; set; }
            public long AnsweredOnTime { get; set; }
            public long Results { get; set; }
            public long Approved { get; set; }

            public Sums Plus(Sums? other) => other is null ? this : new Sums
            {
                Dispatched = Dispatched + other.Dispatched, AnswersDue = AnswersDue + other.AnswersDue, AnsweredOnTime = AnsweredOnTime + other.AnsweredOnTime,
                Results = Results + other.Results, Approved = Approved + other.Approved,
            };

            public ServiceFigures Figures(Samples answerHours, RatingSums ratings) => new(
                Dispatched, AnswersDue, Ratio(AnsweredOnTime, AnswersDue), Results, Ratio(Approved, Results),
                answerHours.Percentile(0.5) is { } median ? Math.Round(median, 1) : null,
                ratings.Ratings, ratings.Ratings == 0 ? null : Math.Round((double)ratings.RatingSum / ratings.Ratings, 2));

            private static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;
        }

        private sealed class RatingSums
        {
            public long Own { get; set; }
            public long Ratings { get; set; }
            public long RatingSum { get; set; }

            public RatingSums Plus(RatingSums? other) =>
                other is null ? this : new RatingSums { Ratings = Ratings + other.Ratings, RatingSum = RatingSum + other.RatingSum };
        }

        private sealed class AnswerTime
        {
            public long Own { get; set; }
            public DateTimeOffset DispatchedAt { get; set; }
            public DateTimeOffset AnsweredAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/{id}/figures", async (string id, DateOnly? from, DateOnly? to, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetInstitutionFigures(id, from, to), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("getInstitutionFigures")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The institution's service figures (on-time answers, approvals, median hours to answer, ratings) beside the platform's")
            .WithDescription("Over the dispatches sent in the period (`from`–`to`, Asia/Shanghai days; this year so far by default): answers owed and the share given by their deadline, results and the share approved, the median hours from dispatch to the first answer, and the enterprises' ratings of the requests the institution resolved — the institution's own and the whole platform's.");
}
