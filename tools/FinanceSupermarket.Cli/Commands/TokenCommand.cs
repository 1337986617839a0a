using System.CommandLine;
using FinanceSupermarket.Api.Features.DevTokens;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>
/// <c>token</c>: mints the same JWT as POST /api/v1/dev/tokens, signed with the configured Auth:SigningKey.
/// Prints only the token, so that <c>TOKEN=$(… token --role admin)</c> works.
/// </summary>
public sealed class TokenCommand : Command
{
    private readonly Option<Role> _role = new("--role") { HelpName = "enterprise|institution|regulator|admin", Description = "enterprise, institution, regulator or admin.", Required = true };
    private readonly Option<string> _enterpriseId = new("--enterprise-id") { Description = "The enterprise an enterprise token acts for." };
    private readonly Option<string> _institutionId = new("--institution-id") { Description = "The institution an institution token acts for." };
    private readonly Option<string> _region = new("--region") { Description = "A regulator's region code prefix (e.g. 33); none means the whole country." };

    public TokenCommand() : base("token", "Mint a development token for a role.")
    {
        Options.Add(_role);
        Options.Add(_enterpriseId);
        Options.Add(_institutionId);
        Options.Add(_region);
        SetAction(async (parse, cancellationToken) =>
        {
            var request = new MintDevToken(parse.GetValue(_role), parse.GetValue(_enterpriseId), parse.GetValue(_institutionId), parse.GetValue(_region));
            // The endpoint's own rules, so that the CLI mints nothing the endpoint would refuse.
            var problems = new MintDevToken.Validator().Validate(request);
            if (!problems.IsValid)
            {
                foreach (var failure in problems.Errors) Console.Error.WriteLine($"{OptionFor(failure.PropertyName)}: {failure.ErrorMessage}");
                return 2;
            }
            // The endpoint's handler itself, so that both put the same claims in the token.
            var handler = new MintDevToken.Handler(new TokenIssuer(PlatformSettings.Auth(parse)));
            var token = (await handler.Handle(request, cancellationToken)).Value;
            Console.WriteLine(token);
            return 0;
        });
    }

    private string OptionFor(string property) => property switch
    {
        nameof(MintDevToken.EnterpriseId) => _enterpriseId.Name,
        nameof(MintDevToken.InstitutionId) => _institutionId.Name,
        nameof(MintDevToken.Region) => _region.Name,
        _ => _role.Name,
    };
}
