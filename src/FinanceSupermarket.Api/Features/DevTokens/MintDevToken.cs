using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.DevTokens;

/// <summary>Development tokens for trying the API: served only when Auth:DevTokens is true (the embedded default).</summary>
public sealed record MintDevToken(Role? Role, string? EnterpriseId, string? InstitutionId, string? Region) : Mediator.ICommand<MintDevToken.Token>
{
    public sealed record Token(string Value);

    public sealed class Validator : AbstractValidator<MintDevToken>
    {
        public Validator()
        {
            RuleFor(x => x.Role).NotNull().WithMessage("Must be one of enterprise, institution, regulator, admin.");
            RuleFor(x => x.EnterpriseId).NotEmpty().MaximumLength(36).When(x => x.Role == Domain.Role.Enterprise)
                .WithMessage("An enterprise token needs the enterpriseId it acts for.");
            RuleFor(x => x.InstitutionId).NotEmpty().MaximumLength(36).When(x => x.Role == Domain.Role.Institution)
                .WithMessage("An institution token needs the institutionId it acts for.");
            RuleFor(x => x.Region).Matches("^([1-8][0-9]([0-9]{2}){0,2})?$").When(x => x.Region is not null)
                .WithMessage("Must be a region code prefix of 2, 4 or 6 digits, e.g. 33.");
        }
    }

    public sealed class Handler(TokenIssuer issuer) : ICommandHandler<MintDevToken, Token>
    {
        public ValueTask<Token> Handle(MintDevToken command, CancellationToken cancellationToken)
        {
            var role = command.Role!.Value;
            return ValueTask.FromResult(new Token(issuer.Issue(role,
                enterpriseId: role == Domain.Role.Enterprise ? command.EnterpriseId : null,
                institutionId: role == Domain.Role.Institution ? command.InstitutionId : null,
                region: role == Domain.Role.Regulator ? command.Region ?? "" : null)));
        }
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/dev/tokens", async (MintDevToken command, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(new { token = (await mediator.Send(command, ct)).Value }))
            // A convenience of Development and the tests, served only when Auth:DevTokens is on: not part of the contract.
            .ExcludeFromDescription()
            .WithSummary("Mint a development token (only when Auth:DevTokens is true)");
}
