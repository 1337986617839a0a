using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>A person as an admin sees them (a class: Dapper fills its flags from SQLite's integers).</summary>
public sealed class PersonView
{
    public string Id { get; init; } = "";
    public string Login { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public bool Active { get; init; }
    public bool MfaEnabled { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>People with an account, newest first (admin); ?q= finds a login or name.</summary>
public sealed record ListPeople(string? Q, int? Page, int? PageSize) : IQuery<Paged<PersonView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListPeople>
    {
        public Validator()
        {
            this.AddPagingRules();
            RuleFor(x => x.Q).MaximumLength(100);
        }
    }

    public sealed class Handler(Db db) : IQueryHandler<ListPeople, Paged<PersonView>>
    {
        private const string FromSql = "FROM people WHERE (@Like IS NULL OR login LIKE @Like OR display_name LIKE @Like)";
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = "SELECT id, login, display_name AS DisplayName, active, mfa_enabled AS MfaEnabled, locked_until AS LockedUntil, "
                                       + "created_at AS CreatedAt " + FromSql + " ORDER BY created_at DESC, id";

        public async ValueTask<Paged<PersonView>> Handle(ListPeople query, CancellationToken cancellationToken) =>
            await PageWindow.Of(query).ReadAsync<PersonView>(db, CountSql, PageSql,
                new { Like = string.IsNullOrWhiteSpace(query.Q) ? null : $"%{query.Q.Trim().ToLowerInvariant()}%" }, cancellationToken);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/people", async ([AsParameters] ListPeople query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The people with an account, optionally searched by `q`; paged.")
            .WithSummary("People with an account (admin)");
}
