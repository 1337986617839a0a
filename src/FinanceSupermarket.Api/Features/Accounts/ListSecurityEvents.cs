using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

public sealed record SecurityEventView(long Id, DateTimeOffset At, string Kind, string? PersonId, string? Login, string? ClientAddress, string? Detail);

/// <summary>Sign-ins, failures, lockouts, MFA changes, invitations, newest first (admin); ?kind= and ?login= narrow it.</summary>
public sealed record ListSecurityEvents(string? Kind, string? Login, int? Page, int? PageSize) : IQuery<Paged<SecurityEventView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListSecurityEvents>
    {
        public Validator()
        {
            this.AddPagingRules();
            RuleFor(x => x.Kind).MaximumLength(30);
            RuleFor(x => x.Login).MaximumLength(200);
        }
    }

    public sealed class Handler(Db db) : IQueryHandler<ListSecurityEvents, Paged<SecurityEventView>>
    {
        private const string FromSql = "FROM security_events WHERE (@Kind IS NULL OR kind = @Kind) AND (@Login IS NULL OR login = @Login)";
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = "SELECT id, at, kind, person_id AS PersonId, login, client_address AS ClientAddress, detail " + FromSql + " ORDER BY id DESC";

        public async ValueTask<Paged<SecurityEventView>> Handle(ListSecurityEvents query, CancellationToken cancellationToken) =>
            await PageWindow.Of(query).ReadAsync<SecurityEventView>(db, CountSql, PageSql,
                new { query.Kind, Login = query.Login is null ? null : Logins.Normalise(query.Login) }, cancellationToken);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/security-events", async ([AsParameters] ListSecurityEvents query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("Sign-ins, failures, lockouts, second-factor changes, invitations and API clients, newest first, optionally of one kind or login; paged.")
            .WithSummary("Account and sign-in events, newest first (admin)");
}
