using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Enterprises;

/// <summary>Registers an enterprise profile, or updates it. An enterprise user writes the profile its token is bound to.</summary>
public sealed record RegisterEnterprise(
    string CreditCode, string Name, string RegionCode, string IndustryCode, EnterpriseSize? Size, int? Employees,
    decimal? AnnualRevenue, DateOnly? EstablishedOn, IReadOnlyList<EnterpriseTag> Tags, TaxCreditLevel? TaxCreditLevel,
    bool? HasLoanHistory) : Mediator.ICommand<RegisterEnterprise.Result>
{
    public sealed record Result(string Id, bool Created);

    public sealed class Validator : AbstractValidator<RegisterEnterprise>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(x => x.CreditCode).CreditCode();
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.RegionCode).RegionCode();
            RuleFor(x => x.IndustryCode).IndustryCode();
            RuleFor(x => x.Size).NotNull().WithMessage("Must be one of micro, small, medium, large.");
            RuleFor(x => x.Employees).InclusiveBetween(0, 1_000_000).When(x => x.Employees is not null);
            RuleFor(x => x.AnnualRevenue!.Value).GreaterThanOrEqualTo(0).LessThanOrEqualTo(DomainRules.MaxAmount * 100)
                .PrecisionScale(18, 2, true).OverridePropertyName("annualRevenue").When(x => x.AnnualRevenue is not null);
            RuleFor(x => x.EstablishedOn).NotNull()
                .Must(date => date is null || (date.Value.Year >= 1949 && date.Value <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddHours(8))))
                .WithMessage("Must be a founding date from 1949 up to today.");
            RuleFor(x => x.Tags).DistinctList(6);
            RuleFor(x => x.TaxCreditLevel).NotNull().WithMessage("Must be one of A, B, M, C, D.");
            RuleFor(x => x.HasLoanHistory).NotNull();
        }
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<RegisterEnterprise, Result>
    {
        private const string ClaimedAlready =
            "This 统一社会信用代码 is registered already: ask the enterprise's owner to invite you (POST /api/v1/invitations).";
        private const string FindByCreditCodeSql = "SELECT id FROM enterprises WHERE credit_code = @CreditCode";
        private const string ExistsSql = "SELECT COUNT(*) FROM enterprises WHERE id = @Id";

        private const string InsertSql = """
            INSERT INTO enterprises (id, credit_code, name, region_code, industry_code, size, employees, annual_revenue,
                                     established_on, tags, tax_credit_level, has_loan_history, created_at, updated_at)
            VALUES (@Id, @CreditCode, @Name, @RegionCode, @IndustryCode, @Size, @Employees, @AnnualRevenue,
                    @EstablishedOn, @Tags, @TaxCreditLevel, @HasLoanHistory, @Now, @Now)
            """;

        private const string UpdateSql = """
            UPDATE enterprises SET credit_code = @CreditCode, name = @Name, region_code = @RegionCode, industry_code = @IndustryCode,
                size = @Size, employees = @Employees, annual_revenue = @AnnualRevenue, established_on = @EstablishedOn, tags = @Tags,
                tax_credit_level = @TaxCreditLevel, has_loan_history = @HasLoanHistory, updated_at = @Now
            WHERE id = @Id
            """;

        public async ValueTask<Result> Handle(RegisterEnterprise command, CancellationToken cancellationToken)
        {
            var holder = await unit.QuerySingleOrDefaultAsync<string>(FindByCreditCodeSql, new { command.CreditCode });
            // A person with no enterprise yet registers one and becomes its owner; an enterprise user is bound to one id;
            // an admin registers by credit code.
            var claiming = user.IsPerson && user.Is(Role.Enterprise) && user.EnterpriseId is null;
            var id = claiming ? Guid.CreateVersion7().ToString() : user.Is(Role.Enterprise) ? user.RequireEnterpriseId() : holder ?? Guid.CreateVersion7().ToString();
            if (holder is not null && holder != id)
                throw new ConflictException(claiming ? ClaimedAlready : "This credit code is already registered to another enterprise.");

            var exists = await unit.ExecuteScalarAsync<long>(ExistsSql, new { Id = id }) > 0;
            var row = new
            {
                Id = id, command.CreditCode, command.Name, command.RegionCode, command.IndustryCode,
                Size = EnumText.ToText(command.Size!.Value), command.Employees, command.AnnualRevenue,
                EstablishedOn = command.EstablishedOn!.Value, Tags = EnumText.Join(command.Tags),
                TaxCreditLevel = EnumText.ToText(command.TaxCreditLevel!.Value), HasLoanHistory = command.HasLoanHistory!.Value,
                Now = clock.GetUtcNow(),
            };
            try
            {
                await unit.ExecuteAsync(exists ? UpdateSql : InsertSql, row);
            }
            catch (Exception exception) when (unit.Dialect.IsUniqueViolation(exception))
            {
                // Another enterprise registered the same credit code between the check and the write.
                throw new ConflictException(claiming ? ClaimedAlready : "This credit code is already registered to another enterprise.");
            }
            if (claiming) await Memberships.AddAsync(unit, user.PersonId!, MembershipKind.Enterprise, id, MembershipRole.Owner, row.Now);
            await unit.RecordAsync(row.Now, "enterprise", id, exists ? "changed" : "registered", command.Name);
            return new Result(id, Created: !exists);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (RegisterEnterprise command, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(command, ct);
                var body = new CreatedBody(result.Id);
                return result.Created ? Results.Created($"/api/v1/enterprises/{result.Id}", body) : Results.Ok(body);
            })
            .RequireAuthorization(AuthModule.Policies.EnterpriseOrAdmin)
            .WithSummary("Register or update an enterprise profile (201 when created, 200 when updated)");
}
