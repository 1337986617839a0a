using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FluentValidation;
using FluentValidation.Results;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// The signed-in person accepts an invitation code and gains the membership; the next refresh (with its membershipId)
/// or sign-in acts in it. A code is good once, until it expires or is withdrawn.
/// </summary>
public sealed record AcceptInvitation(string Code) : Mediator.ICommand<AcceptInvitation.Result>
{
    public sealed record Result(Membership Membership);

    public sealed class Validator : AbstractValidator<AcceptInvitation>
    {
        public Validator() => RuleFor(x => x.Code).NotEmpty().MaximumLength(100);
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<AcceptInvitation, Result>
    {
        private const string FindSql = """
            SELECT id, organisation_kind AS Kind, organisation_id AS OrganisationId, role, login, expires_at AS ExpiresAt,
                   accepted_at AS AcceptedAt, withdrawn_at AS WithdrawnAt
            FROM invitations WHERE code_hash = @CodeHash
            """;
        private const string AcceptSql = """
            UPDATE invitations SET accepted_at = @Now, accepted_by = @PersonId WHERE id = @Id AND accepted_at IS NULL AND withdrawn_at IS NULL
            """;
        private const string HeldSql = """
            SELECT COUNT(*) FROM memberships WHERE person_id = @PersonId AND kind = @Kind AND organisation_id = @OrganisationId AND removed_at IS NULL
            """;

        public async ValueTask<Result> Handle(AcceptInvitation command, CancellationToken cancellationToken)
        {
            if (!user.IsPerson) throw new ForbiddenException("Sign in (or sign up) as the invited person to accept an invitation.");
            var now = clock.GetUtcNow();
            var invitation = await unit.QuerySingleOrDefaultAsync<InvitationRow>(FindSql, new { CodeHash = Secrets.Hash(command.Code.Trim()) });
            var refusal = invitation switch
            {
                null => "No invitation has this code.",
                { AcceptedAt: not null } => "This invitation has been used already.",
                { WithdrawnAt: not null } => "This invitation was withdrawn.",
                _ when invitation.ExpiresAt <= now => "This invitation has expired; ask for a new one.",
                _ => null,
            };
            var person = await Person.ByIdAsync(unit, user.PersonId!) ?? throw new ForbiddenException("This account no longer exists.");
            if (refusal is null && invitation!.Login is { } login && login != person.Login) refusal = "This invitation is for another login.";
            if (refusal is not null) throw new ValidationException([new ValidationFailure(nameof(Code), refusal)]);

            if (await unit.ExecuteScalarAsync<long>(HeldSql, new { PersonId = person.Id, invitation!.Kind, invitation.OrganisationId }) > 0)
                throw new ConflictException(RuleTexts.Say("MemberAlready"));
            if (await unit.ExecuteAsync(AcceptSql, new { invitation.Id, PersonId = person.Id, Now = now }) == 0)
                throw new ValidationException([new ValidationFailure(nameof(Code), "This invitation has been used already.")]);
            var membershipId = await Memberships.AddAsync(unit, person.Id, EnumText.Parse<MembershipKind>(invitation.Kind), invitation.OrganisationId,
                EnumText.Parse<MembershipRole>(invitation.Role), now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.InvitationAccepted, person.Id, person.Login, user.ClientAddress,
                $"{invitation.Kind} {invitation.OrganisationId} as {invitation.Role}");
            return new Result((await Memberships.OfPersonAsync(unit, person.Id)).Single(m => m.Id == membershipId));
        }

        private sealed class InvitationRow
        {
            public string Id { get; set; } = "";
            public string Kind { get; set; } = "";
            public string OrganisationId { get; set; } = "";
            public string Role { get; set; } = "";
            public string? Login { get; set; }
            public DateTimeOffset ExpiresAt { get; set; }
            public DateTimeOffset? AcceptedAt { get; set; }
            public DateTimeOffset? WithdrawnAt { get; set; }
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/accept", async (AcceptInvitation command, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(command, ct)))
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The signed-in person whose login was invited accepts the code and gains the membership; refresh the session to act in it.")
            .WithSummary("Accept an invitation code: the signed-in person gains the membership");
}
