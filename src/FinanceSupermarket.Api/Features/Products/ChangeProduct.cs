using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>The owning institution changes a product's terms; its shelf status stays as it is.</summary>
public sealed record ChangeProduct(string Id, ProductTerms Body) : Mediator.ICommand<ProductView>
{
    public sealed class Validator : AbstractValidator<ChangeProduct>
    {
        // No "body." prefix: the terms' fields are the top-level fields of the JSON the client sent.
        public Validator() => RuleFor(x => x.Body).SetValidator(new ProductTerms.Validator()).OverridePropertyName(string.Empty);
    }

    public sealed class Handler(Db db, CurrentUser user, TimeProvider clock, MatchingIndex matching, IMediator mediator) : ICommandHandler<ChangeProduct, ProductView>
    {
        private const string UpdateSql = """
            UPDATE products SET name = @Name, kind = @Kind, min_amount = @MinAmount, max_amount = @MaxAmount, min_term_months = @MinTermMonths,
                max_term_months = @MaxTermMonths, min_rate = @MinRate, max_rate = @MaxRate, guarantee_modes = @GuaranteeModes,
                region_codes = @RegionCodes, industry_codes = @IndustryCodes, enterprise_sizes = @EnterpriseSizes, required_tags = @RequiredTags,
                min_years_in_business = @MinYearsInBusiness, min_tax_credit_level = @MinTaxCreditLevel, first_loan_friendly = @FirstLoanFriendly,
                policy_support = @PolicySupport, approval_days = @ApprovalDays, description = @Description, updated_at = @Now
            WHERE id = @Id AND institution_id = @InstitutionId
            """;

        public async ValueTask<ProductView> Handle(ChangeProduct command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                // The status column is not written, so the parameter set's status is not used.
                var changed = await connection.ExecuteAsync(UpdateSql,
                    ProductStore.Columns(command.Id, institutionId, command.Body, ProductStatus.Listed, clock.GetUtcNow()), transaction);
                if (changed == 0) throw new NotFoundException("The product");
                await ProductStore.SaveRegionsAsync(connection, transaction, command.Id, institutionId, command.Body);
                return changed;
            }, cancellationToken);
            await matching.RefreshAsync(cancellationToken);
            return await mediator.Send(new GetProduct(command.Id), cancellationToken);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPut("/{id}", async (string id, ProductTerms body, IMediator mediator, CancellationToken ct) =>
                Results.Ok(await mediator.Send(new ChangeProduct(id, body), ct)))
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithSummary("Change a product's terms (owning institution)");
}
