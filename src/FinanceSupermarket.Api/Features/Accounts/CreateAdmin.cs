using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Opens a platform admin's account: how the first admin of a PostgreSQL or SQL Server deployment comes to be
/// (<c>cli create-admin</c>), since nothing else is open there. Not an HTTP endpoint; later admins are invited. The admin
/// sets up the second factor at the first sign-in.
/// </summary>
public sealed record CreateAdmin(string Login, [property: Secret] string Password, string DisplayName) : Mediator.ICommand<CreateAdmin.Result>
{
    public sealed record Result(string UserId, string MembershipId);

    public sealed class Validator : AbstractValidator<CreateAdmin>
    {
        public Validator()
        {
            RuleFor(x => x.Login).Login();
            RuleFor(x => x.Password).Password(x => x.Login);
            RuleFor(x => x.DisplayName).NotEmpty().Text(100);
        }
    }

    public sealed class Handler(UnitOfWork unit, IPasswordHasher<Person> hasher, TimeProvider clock) : ICommandHandler<CreateAdmin, Result>
    {
        public async ValueTask<Result> Handle(CreateAdmin command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var person = await Person.CreateAsync(unit, hasher, command.Login, command.DisplayName, command.Password, now);
            var membershipId = await Memberships.AddAsync(unit, person.Id, MembershipKind.Platform, Memberships.PlatformOrganisation, MembershipRole.Admin, now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.AdminCreated, person.Id, person.Login, null, "created from the command line");
            return new Result(person.Id, membershipId);
        }
    }
}
