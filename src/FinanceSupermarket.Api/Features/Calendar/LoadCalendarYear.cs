using System.Globalization;
using System.Text.Json;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain.Calendar;
using FluentValidation;
using FinanceSupermarket.Api.Infrastructure.Validation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Calendar;

public sealed record CalendarYearLoaded(int Year, int Recomputed);

/// <summary>The calendar changed on this node's database: this node counts with it at once (others within a minute).</summary>
public sealed record CalendarChanged(int Year) : INotification;

/// <summary>
/// An admin loads a year's working-day calendar file (the State Council's holidays and 调休 of that year), stored so that
/// every node counts with it. The open deadlines counted over that year — provisional until now, weekends only — are
/// counted again with it, each noted on its request's timeline.
/// </summary>
public sealed record LoadCalendarYear(int Year, string File) : ICommand<CalendarYearLoaded>
{
    /// <summary>
    /// The file's form, as the shipped cn-YYYY.json files have it: for the document only, since the body is read as the
    /// file itself (WorkingDayCalendar checks it and names what is wrong with it).
    /// </summary>
    public sealed record YearFile(int Year, string Source, IReadOnlyList<Holiday> Holidays, IReadOnlyList<DateOnly> WorkingWeekends);

    /// <summary>A public holiday, its first and last day off.</summary>
    public sealed record Holiday(string Name, DateOnly From, DateOnly To);

    public sealed class Validator : AbstractValidator<LoadCalendarYear>
    {
        public Validator()
        {
            RuleFor(x => x.Year).InclusiveBetween(2000, 2100);
            RuleFor(x => x.File).Custom((file, context) =>
            {
                try
                {
                    // The file's texts (its notice, the holidays' names) are stored and shown: the same rule as every other text.
                    foreach (var (path, text) in Texts(JsonDocument.Parse(file).RootElement, "file"))
                        if (CleanText.Problem(text, CleanText.Kind.SingleLine) is { } problem) context.AddFailure(path, problem);
                    if (WorkingDayCalendar.Load([file]).Years.Single() != context.InstanceToValidate.Year)
                        context.AddFailure(nameof(Year), "The file's \"year\" is not the year in the path.");
                }
                catch (Exception invalid) when (invalid is CalendarDataException or JsonException or InvalidOperationException)
                {
                    context.AddFailure(nameof(File), invalid.Message);
                }
            });
        }

        private static IEnumerable<(string Path, string Text)> Texts(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.String => [(path, element.GetString()!)],
            JsonValueKind.Object => element.EnumerateObject().SelectMany(property => Texts(property.Value, $"{path}.{property.Name}")),
            JsonValueKind.Array => element.EnumerateArray().SelectMany((item, index) => Texts(item, $"{path}[{index}]")),
            _ => [],
        };
    }

    public sealed class Handler(UnitOfWork unit, PlatformCalendar platform, TimeProvider clock, IOptions<WorkflowOptions> options)
        : ICommandHandler<LoadCalendarYear, CalendarYearLoaded>
    {
        private const string DeleteSql = "DELETE FROM calendar_years WHERE year = @Year";
        private const string InsertSql = "INSERT INTO calendar_years (year, content, loaded_at) VALUES (@Year, @Content, @Now)";
        // The open deadlines counted over some day of the year: from the dispatch (answer) or the acceptance (feedback) to the due time.
        private const string CountedOverSql = """
            SELECT d.id, d.request_id AS RequestId, d.institution_id AS InstitutionId, i.name AS InstitutionName, d.status,
                   d.dispatched_at AS DispatchedAt, d.answered_at AS AnsweredAt, d.answer_due_at AS AnswerDueAt, d.feedback_due_at AS FeedbackDueAt,
                   p.approval_days AS ApprovalDays
            FROM dispatches d
            JOIN institutions i ON i.id = d.institution_id
            JOIN products p ON p.id = d.product_id
            WHERE (d.status = 'pending' AND d.dispatched_at < @YearEnd AND d.answer_due_at >= @YearStart)
               OR (d.status = 'accepted' AND d.answered_at < @YearEnd AND d.feedback_due_at >= @YearStart)
            """;
        private const string AnswerDueSql = "UPDATE dispatches SET answer_due_at = @Due, updated_at = @Now WHERE id = @Id AND status = 'pending'";
        private const string FeedbackDueSql = "UPDATE dispatches SET feedback_due_at = @Due, updated_at = @Now WHERE id = @Id AND status = 'accepted'";

        public async ValueTask<CalendarYearLoaded> Handle(LoadCalendarYear command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var calendar = platform.Current.With([command.File]);
            await unit.ExecuteAsync(DeleteSql, new { command.Year });
            await unit.ExecuteAsync(InsertSql, new { command.Year, Content = command.File, Now = now });
            // The notice the file cites, if it does (its "source").
            var source = JsonDocument.Parse(command.File).RootElement.TryGetProperty("source", out var cited) ? cited.GetString() : null;
            unit.Record(now, "calendar", command.Year.ToString(CultureInfo.InvariantCulture), "loaded", source?[..Math.Min(source.Length, 500)]);

            var recomputed = 0;
            foreach (var open in await unit.QueryAsync<OpenDeadline>(CountedOverSql, new { YearStart = StartOf(command.Year), YearEnd = StartOf(command.Year + 1) }))
            {
                var (answer, start, days) = open.Status == "pending"
                    ? (true, open.DispatchedAt, options.Value.AnswerWorkingDays)
                    : (false, open.AnsweredAt!.Value, Math.Min(open.ApprovalDays, options.Value.MaxFeedbackWorkingDays));
                var due = calendar.AddWorkingDays(start, days);
                if (due == (answer ? open.AnswerDueAt : open.FeedbackDueAt)) continue;
                if (await unit.ExecuteAsync(answer ? AnswerDueSql : FeedbackDueSql, new { open.Id, Due = due, Now = now }) == 0) continue;
                RequestTimeline.Append(unit, open.RequestId, now, "deadline_recomputed", answer
                    ? $"{open.InstitutionName}: answer due {due.PlatformText()}, counted with the {command.Year} calendar / 答复期限按 {command.Year} 年日历重新计算"
                    : $"{open.InstitutionName}: result due {due.PlatformText()}, counted with the {command.Year} calendar / 反馈期限按 {command.Year} 年日历重新计算",
                    open.InstitutionId);
                recomputed++;
            }
            unit.Raise(new CalendarChanged(command.Year));
            return new CalendarYearLoaded(command.Year, recomputed);
        }

        /// <summary>00:00 of 1 January in the platform's time zone, as a UTC instant.</summary>
        private static DateTimeOffset StartOf(int year)
        {
            var midnight = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
            return new DateTimeOffset(midnight, WorkingDayCalendar.PlatformTimeZone.GetUtcOffset(midnight)).ToUniversalTime();
        }

        private sealed class OpenDeadline
        {
            public string Id { get; set; } = "";
            public string RequestId { get; set; } = "";
            public string InstitutionId { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string Status { get; set; } = "";
            public DateTimeOffset DispatchedAt { get; set; }
            public DateTimeOffset? AnsweredAt { get; set; }
            public DateTimeOffset AnswerDueAt { get; set; }
            public DateTimeOffset? FeedbackDueAt { get; set; }
            public int ApprovalDays { get; set; }
        }
    }

    public sealed class OnCalendarChanged(PlatformCalendar platform) : INotificationHandler<CalendarChanged>
    {
        public async ValueTask Handle(CalendarChanged changed, CancellationToken cancellationToken) => await platform.RefreshAsync(cancellationToken);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{year:int}", async (int year, JsonElement file, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new LoadCalendarYear(year, file.GetRawText()), ct)))
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
                operation.RequestBody!.Content!["application/json"].Schema = await context.GetOrCreateSchemaAsync(typeof(YearFile), cancellationToken: ct))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("Loads the State Council's holidays and 调休 working weekends of a year, in the form of the shipped `cn-YYYY.json` files. Stored for every node; the open deadlines counted over that year are counted again, each noted on its request's timeline (`deadline_recomputed`), and the answer says how many.")
            .WithSummary("Load a year's working-day calendar file; open deadlines counted over that year are counted again (admin)");
}
