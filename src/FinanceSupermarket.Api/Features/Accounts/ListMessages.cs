using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

public sealed record MessageView(long Id, string Channel, string Recipient, string Subject, string Body, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>The message outbox, newest first (admin): what would have gone out by SMS or e-mail.</summary>
public sealed record ListMessages(string? Recipient, int? Page, int? PageSize) : IQuery<Paged<MessageView>>, IPagedQuery
{
    public sealed class Validator : AbstractValidator<ListMessages>
    {
        public Validator()
        {
            this.AddPagingRules();
            RuleFor(x => x.Recipient).MaximumLength(200);
        }
    }

    public sealed class Handler(Db db) : IQueryHandler<ListMessages, Paged<MessageView>>
    {
        private const string FromSql = "FROM message_outbox WHERE (@Recipient IS NULL OR recipient = @Recipient)";
        private const string CountSql = "SELECT COUNT(*) " + FromSql;
        private const string PageSql = "SELECT id, channel, recipient, subject, body, created_at AS CreatedAt, sent_at AS SentAt " + FromSql + " ORDER BY id DESC";

        public async ValueTask<Paged<MessageView>> Handle(ListMessages query, CancellationToken cancellationToken) =>
            await PageWindow.Of(query).ReadAsync<MessageView>(db, CountSql, PageSql,
                new { Recipient = query.Recipient is null ? null : Logins.Normalise(query.Recipient) }, cancellationToken);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/messages", async ([AsParameters] ListMessages query, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The messages the platform sent to people (invitations, reset codes), newest first, optionally for one recipient. No SMS or mail gateway runs here: a real sender reads this outbox.")
            .WithSummary("The outbox of messages to people (invitations, reset codes), newest first (admin)");
}
