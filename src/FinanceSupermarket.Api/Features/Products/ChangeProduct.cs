using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// The owning institution changes a product's terms; its shelf status stays as it is. The change names the version it
/// is made from (If-Match, required): two people or systems editing one product cannot overwrite each other unseen.
/// </summary>
public sealed record ChangeProduct(string Id, ProductTerms Body, [property: Field(EntityTags.IfMatchHeader)] string? IfMatch) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<ChangeProduct>
    {
        // No "body." prefix: the terms' fields are the top-level fields of the JSON the client sent.
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Body).SetValidator(new ProductTerms.Validator(codes)).OverridePropertyName(string.Empty);
            RuleFor(x => x.IfMatch).IfMatch();
        }
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<ChangeProduct>
    {
        private const string UpdateSql = """
            UPDATE products SET name = @Name, kind = @Kind, min_amount = @MinAmount, max_amount = @MaxAmount, min_term_months = @MinTermMonths,
                max_term_months = @MaxTermMonths, min_rate = @MinRate, max_rate = @MaxRate, guarantee_modes = @GuaranteeModes,
                region_codes = @RegionCodes, industry_codes = @IndustryCodes, enterprise_sizes = @EnterpriseSizes, required_tags = @RequiredTags,
                min_years_in_business = @MinYearsInBusiness, min_tax_credit_level = @MinTaxCreditLevel, first_loan_friendly = @FirstLoanFriendly,
                policy_support = @PolicySupport, approval_days = @ApprovalDays, description = @Description, updated_at = @Now
            WHERE id = @Id AND institution_id = @InstitutionId AND row_version = @Version
            """;
        private const string VersionSql = "SELECT row_version FROM products WHERE id = @Id AND institution_id = @InstitutionId";

        public async ValueTask<Unit> Handle(ChangeProduct command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var current = await unit.QuerySingleOrDefaultAsync<long?>(VersionSql, new { command.Id, InstitutionId = institutionId })
                          ?? throw new NotFoundException("The product");
            var version = EntityTags.Check(command.IfMatch, current, required: true);
            // The status column is not written, so the parameter set's status is not used.
            var columns = new DynamicParameters(ProductStore.Columns(command.Id, institutionId, command.Body, ProductStatus.Listed, clock.GetUtcNow()));
            columns.Add("Version", version);
            // Another change committed since the version was read: this one changes nothing.
            if (await unit.ExecuteAsync(UpdateSql, columns) == 0) throw new PreconditionFailedException();
            await ProductStore.SaveRegionsAsync(unit, command.Id, institutionId, command.Body);
            unit.Record(clock.GetUtcNow(), "product", command.Id, "changed", command.Body.Name);
            return Unit.Value;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPut("/{id}", async (string id, ProductTerms body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ChangeProduct(id, body, EntityTags.IfMatchOf(http.Request)), ct);
                var changed = await mediator.Send(new GetProduct(id), ct);
                return http.Response.OkWithETag(changed, changed.Version);
            })
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithEntityTag(ifMatchRequired: true)
            .WithName("changeProduct")
            .WithSummary("Change a product's terms (owning institution); If-Match with the product's ETag is required")
            .WithDescription("The owning institution replaces a product's terms; the shelves and matching follow at once. Requests already published keep the ranking they were published with. 412 when the product changed since that ETag (nothing is changed), 428 without If-Match. The answer carries the new ETag.");
}
