using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;
using Microsoft.AspNetCore.Identity;
using FinanceSupermarket.Api.Infrastructure.Validation;

namespace FinanceSupermarket.Api.Features.Demo;

/// <summary>
/// A demo person and the membership they act in. Admins, analysts and managers must sign in with a second factor: their
/// demo accounts share <see cref="DemoAccounts.TotpSecret"/>, printed with the passwords, so that a code can be made with
/// any authenticator app or <c>oathtool --totp -b SECRET</c>.
/// </summary>
public sealed record DemoAccount(string Login, [property: Secret] string Password, string DisplayName, MembershipKind Kind, string OrganisationId, MembershipRole Role);

public static class DemoAccounts
{
    /// <summary>The demo's TOTP secret (Base32). Demo only: Development seeds it, no other environment has demo data.</summary>
    public const string TotpSecret = "IJ3OAQNLSRWXZXZ25PM5IWF7LELWZGYP";

    /// <summary>Opens a demo person's account with the membership, and the demo's second factor where the role needs one.</summary>
    public sealed record SeedDemoAccount(DemoAccount Account) : Mediator.ICommand
    {
        public sealed class Handler(UnitOfWork unit, IPasswordHasher<Person> hasher, MfaCodes mfa, TimeProvider clock) : ICommandHandler<SeedDemoAccount>
        {
            private const string MfaSql = "UPDATE people SET mfa_secret = @Secret, mfa_enabled = @True WHERE id = @Id";

            public async ValueTask<Unit> Handle(SeedDemoAccount command, CancellationToken cancellationToken)
            {
                var (account, now) = (command.Account, clock.GetUtcNow());
                var person = await Person.CreateAsync(unit, hasher, account.Login, account.DisplayName, account.Password, now);
                await Memberships.AddAsync(unit, person.Id, account.Kind, account.OrganisationId, account.Role, now);
                if (Membership.NeedsMfa(account.Role))
                    await unit.ExecuteAsync(MfaSql, new { person.Id, Secret = mfa.Protect(TotpSecret), True = true });
                return Unit.Value;
            }
        }
    }
}
