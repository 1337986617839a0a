using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Invites a person into an organisation with a role: an enterprise owner invites colleagues (owner, member), an
/// institution manager invites managers and officers, an admin invites anyone (the first manager of a new institution, the
/// analysts of a regulator office). The code is single-use, expires (7 days) and is shown once; with a login given it is
/// also sent to that login through the outbox, and only that login may accept it.
/// </summary>
public sealed record CreateInvitation([property: Required] MembershipKind? OrganisationKind, string OrganisationId, [property: Required] MembershipRole? Role, string? Login)
    : Mediator.ICommand<CreateInvitation.Created>
{
    public sealed record Created(string Id, string Code, DateTimeOffset ExpiresAt);

    public sealed class Validator : AbstractValidator<CreateInvitation>
    {
        public Validator()
        {
            RuleFor(x => x.OrganisationKind).NotNull().WithMessage("Must be one of enterprise, institution, regulator, platform.");
            RuleFor(x => x.OrganisationId).NotEmpty().MaximumLength(36);
            RuleFor(x => x.Role).NotNull().WithMessage("Must be one of owner, member, manager, officer, analyst, admin.")
                .Must((x, role) => x.OrganisationKind is not { } kind || role is not { } r || Membership.Fits(kind, r))
                .WithMessage(x => $"Not a role of a(n) {(x.OrganisationKind is { } k ? EnumText.ToText(k) : "")}: enterprise owner|member, institution manager|officer, regulator analyst, platform admin.");
            RuleFor(x => x.Login!).Login().When(x => x.Login is not null);
        }
    }

    public sealed class Handler(UnitOfWork unit, IMessageSender messages, CurrentUser user, IOptions<AccountsOptions> options, TimeProvider clock)
        : ICommandHandler<CreateInvitation, Created>
    {
        private const string InsertSql = """
            INSERT INTO invitations (id, code_hash, organisation_kind, organisation_id, role, login, invited_by, created_at, expires_at)
            VALUES (@Id, @CodeHash, @Kind, @OrganisationId, @Role, @Login, @InvitedBy, @Now, @ExpiresAt)
            """;

        public async ValueTask<Created> Handle(CreateInvitation command, CancellationToken cancellationToken)
        {
            var kind = command.OrganisationKind!.Value;
            user.RequireSteward(kind, command.OrganisationId);
            await Organisations.RequireExistsAsync(unit, kind, command.OrganisationId);
            var now = clock.GetUtcNow();
            var code = Secrets.NewCode(12);
            var created = new Created(Guid.CreateVersion7().ToString(), code, now + options.Value.InvitationLifetime);
            var login = command.Login is null ? null : Logins.Normalise(command.Login);
            await unit.ExecuteAsync(InsertSql, new
            {
                created.Id, CodeHash = Secrets.Hash(code), Kind = EnumText.ToText(kind), command.OrganisationId, Role = EnumText.ToText(command.Role!.Value),
                Login = login, InvitedBy = user.PersonId ?? "platform", Now = now, created.ExpiresAt,
            });
            if (login is not null)
                await messages.SendAsync(new OutgoingMessage(login, "金融超市邀请 / Invitation to Finance Supermarket",
                    $"{user.Name ?? "金融超市"} 邀请您加入 {user.Organisation}（{EnumText.ToText(command.Role!.Value)}）。注册或登录后输入邀请码 {code}，{created.ExpiresAt:yyyy-MM-dd} 前有效。" +
                    $" You are invited; sign up or sign in and enter the invitation code {code} before {created.ExpiresAt:yyyy-MM-dd}."), now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.InvitationCreated, user.PersonId, login, user.ClientAddress,
                $"{EnumText.ToText(kind)} {command.OrganisationId} as {EnumText.ToText(command.Role!.Value)}");
            return created;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (CreateInvitation command, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(command, ct);
                return TypedResults.Created($"/api/v1/invitations/{created.Id}", created);
            })
            .RequireAuthorization()
            .WithDescription("An enterprise owner, institution manager or admin invites a login into an organisation with a role; the single-use code (valid 7 days) is shown once and also sent through the outbox.")
            .WithSummary("Invite a person into an organisation (enterprise owner, institution manager, admin); the code is shown once");
}
