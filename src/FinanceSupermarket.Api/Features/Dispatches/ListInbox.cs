using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Calendar;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Dispatches;

/// <summary>The institution's inbox: the requests dispatched to it, soonest deadline first.</summary>
public sealed record ListInbox(string? Status, int? Page, int? PageSize) : IQuery<Paged<DispatchView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListInbox>
    {
        public Validator()
        {
            RuleFor(x => x.Status).Must(status => status is null || EnumText.TryParse<DispatchStatus>(status, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<DispatchStatus>())}.");
            this.AddPagingRules();
        }
    }

    public sealed class Handler(Db db, CurrentUser user, WorkingDayCalendar calendar, ReferenceData codes) : IQueryHandler<ListInbox, Paged<DispatchView>>
    {
        private const string FilterSql = " WHERE d.institution_id = @InstitutionId AND (@Status IS NULL OR d.status = @Status)";
        private const string CountSql = "SELECT COUNT(*) FROM dispatches d" + FilterSql;
        private const string PageSql = DispatchViewRow.SelectSql + FilterSql + " ORDER BY d.answer_due_at, d.id";

        public async ValueTask<Paged<DispatchView>> Handle(ListInbox query, CancellationToken cancellationToken)
        {
            var window = PageWindow.Of(query);
            var parameters = new { InstitutionId = user.RequireInstitutionId(), query.Status, window.Skip, window.Take };
            await using var connection = await db.OpenAsync(cancellationToken);
            var total = await connection.ExecuteScalarAsync<long>(CountSql, parameters);
            var rows = await connection.QueryAsync<DispatchViewRow>(db.Dialect.Page(PageSql), parameters);
            return window.With(rows.Select(row => row.ToView(calendar, codes)).ToArray(), total);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListInbox query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .WithDescription("The dispatches sent to the caller's institution, newest first, optionally of one status (`?status=pending` for what still needs an answer), with the enterprise and product by name and each answer deadline.")
            .WithSummary("The caller's inbox of dispatches, ?status=pending");
}
