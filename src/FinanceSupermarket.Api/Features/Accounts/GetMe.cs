using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Who is signed in: the person, the membership the token acts in, and all their memberships.</summary>
public sealed record GetMe : IQuery<GetMe.View>
{
    public sealed record View(UserView User, Membership? Membership, IReadOnlyList<Membership> Memberships, bool MfaEnabled);

    public sealed class Handler(Db db, CurrentUser user) : IQueryHandler<GetMe, View>
    {
        public async ValueTask<View> Handle(GetMe query, CancellationToken cancellationToken)
        {
            if (!user.IsPerson) throw new ForbiddenException("Only a person signed in with an account has a profile (not a development token or an API client).");
            await using var connection = await db.OpenAsync(cancellationToken);
            var person = await Person.ByIdAsync(connection, user.PersonId!) ?? throw new ForbiddenException("This account no longer exists.");
            var memberships = await Memberships.OfPersonAsync(connection, person.Id);
            return new View(person.View, memberships.FirstOrDefault(m => m.Id == user.MembershipId), memberships, person.MfaEnabled);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/me", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new GetMe(), ct)))
            .RequireAuthorization()
            .WithDescription("The signed-in person, the membership the token acts in and all memberships to choose from at a refresh.")
            .WithSummary("The signed-in person, the membership in use and all their memberships");
}
