using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The enterprise's own financing requests, newest first, optionally of one status: its "my requests" list.</summary>
public sealed record ListRequests(string? Status, int? Page, int? PageSize) : IQuery<Paged<ListRequests.Item>>, IPagedQuery
{
    /// <summary>A request in the list; ApprovedAmount once an institution approved it (and the enterprise has not disputed it).</summary>
    public sealed record Item(
        string Id, decimal Amount, int TermMonths, FinancingPurpose Purpose, RequestStatus Status, DateTimeOffset SubmittedAt,
        decimal? ApprovedAmount, string? ResultStatus, string? DuplicateOf);

    public sealed class Validator : AbstractValidator<ListRequests>
    {
        public Validator()
        {
            RuleFor(x => x.Status).Must(status => status is null || EnumText.TryParse<RequestStatus>(status, out _))
                .WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<RequestStatus>())}.");
            this.AddPagingRules();
        }
    }

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<ListRequests, Paged<Item>>
    {
        private const string FilterSql = " WHERE enterprise_id = @EnterpriseId AND (@Status IS NULL OR status = @Status)";
        private const string CountSql = "SELECT COUNT(*) FROM financing_requests" + FilterSql;
        private const string PageSql = """
            SELECT id, amount, term_months AS TermMonths, purpose, status, submitted_at AS SubmittedAt, approved_amount AS ApprovedAmount,
                   result_status AS ResultStatus, duplicate_of AS DuplicateOf
            FROM financing_requests
            """ + FilterSql + " ORDER BY submitted_at DESC, id DESC";

        public async ValueTask<Paged<Item>> Handle(ListRequests query, CancellationToken cancellationToken)
        {
            var window = PageWindow.Of(query);
            var parameters = new { EnterpriseId = user.RequireEnterpriseId(), query.Status, window.Skip, window.Take };
            await using var connection = await db.OpenAsync(cancellationToken);
            var total = await connection.ExecuteScalarAsync<long>(CountSql, parameters);
            var rows = await connection.QueryAsync<Row>(db.Dialect.Page(PageSql), parameters);
            return window.With(rows.Select(row => row.ToItem()).ToArray(), total);
        }
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public decimal Amount { get; set; }
        public int TermMonths { get; set; }
        public string Purpose { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTimeOffset SubmittedAt { get; set; }
        public decimal? ApprovedAmount { get; set; }
        public string? ResultStatus { get; set; }
        public string? DuplicateOf { get; set; }

        public Item ToItem() => new(Id, Amount, TermMonths, EnumText.Parse<FinancingPurpose>(Purpose), EnumText.Parse<RequestStatus>(Status),
            SubmittedAt, ApprovedAmount, ResultStatus, DuplicateOf);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", async ([AsParameters] ListRequests query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(AuthModule.Policies.Enterprise)
            .WithName("listFinancingRequests")
            .WithDescription("The requests of the caller's enterprise, newest first, optionally of one status; paged.")
            .WithSummary("The caller's enterprise's financing requests, newest first (?status=)");
}
