using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>Anyone may open an account; an SME then registers its enterprise and becomes its owner, others accept an invitation.</summary>
public sealed record SignUp(string Login, [property: Secret] string Password, string DisplayName) : Mediator.ICommand<SignUp.Result>
{
    public sealed record Result(string UserId);

    public sealed class Validator : AbstractValidator<SignUp>
    {
        public Validator()
        {
            RuleFor(x => x.Login).Login();
            RuleFor(x => x.Password).Password(x => x.Login);
            RuleFor(x => x.DisplayName).NotEmpty().Text(100);
        }
    }

    public sealed class Handler(UnitOfWork unit, IPasswordHasher<Person> hasher, SignInAttempts attempts, CurrentUser user, TimeProvider clock) : ICommandHandler<SignUp, Result>
    {
        public async ValueTask<Result> Handle(SignUp command, CancellationToken cancellationToken)
        {
            attempts.Take(user.ClientAddress, command.Login);
            var now = clock.GetUtcNow();
            var person = await Person.CreateAsync(unit, hasher, command.Login, command.DisplayName, command.Password, now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.SignedUp, person.Id, person.Login, user.ClientAddress);
            return new Result(person.Id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/sign-up", async (SignUp command, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(command, ct);
                return TypedResults.Created("/api/v1/auth/me", result);
            })
            .AllowAnonymous()
            .RequireRateLimiting(AccountsModule.RateLimitPolicy)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Anyone opens an account with a login (a mobile number or an e-mail), a password (at least 10 characters, not the login, not a common password) and a display name. An existing login is a 409.")
            .WithSummary("Open a person's account (login = mobile number or e-mail)");
}
