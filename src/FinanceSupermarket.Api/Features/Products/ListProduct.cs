using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>An institution user puts a product of its own institution on the shelves.</summary>
public sealed record ListProduct(ProductTerms Body) : Mediator.ICommand<CreatedBody>
{
    public sealed class Validator : AbstractValidator<ListProduct>
    {
        // No "body." prefix: the terms' fields are the top-level fields of the JSON the client sent.
        public Validator(ReferenceData codes) => RuleFor(x => x.Body).SetValidator(new ProductTerms.Validator(codes)).OverridePropertyName(string.Empty);
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<ListProduct, CreatedBody>
    {
        private const string InsertSql = """
            INSERT INTO products (id, institution_id, name, kind, min_amount, max_amount, min_term_months, max_term_months, min_rate, max_rate,
                                  guarantee_modes, region_codes, industry_codes, enterprise_sizes, required_tags, min_years_in_business,
                                  min_tax_credit_level, first_loan_friendly, policy_support, approval_days, description, status, created_at, updated_at)
            VALUES (@Id, @InstitutionId, @Name, @Kind, @MinAmount, @MaxAmount, @MinTermMonths, @MaxTermMonths, @MinRate, @MaxRate,
                    @GuaranteeModes, @RegionCodes, @IndustryCodes, @EnterpriseSizes, @RequiredTags, @MinYearsInBusiness,
                    @MinTaxCreditLevel, @FirstLoanFriendly, @PolicySupport, @ApprovalDays, @Description, @Status, @Now, @Now)
            """;

        public async ValueTask<CreatedBody> Handle(ListProduct command, CancellationToken cancellationToken)
        {
            var institutionId = user.RequireInstitutionId();
            var id = Guid.CreateVersion7().ToString();
            await unit.ExecuteAsync(InsertSql, ProductStore.Columns(id, institutionId, command.Body, ProductStatus.Listed, clock.GetUtcNow()));
            await ProductStore.SaveRegionsAsync(unit, id, institutionId, command.Body);
            unit.Record(clock.GetUtcNow(), "product", id, "listed", command.Body.Name);
            return new CreatedBody(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (ProductTerms body, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(new ListProduct(body), ct);
                return TypedResults.Created($"/api/v1/products/{created.Id}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithName("listProductOnShelves")
            .WithDescription("An institution puts a product on the public shelves: its kind, amount, term and rate ranges, accepted guarantee modes and the enterprises it is for (regions within the institution's own, industries, sizes, tags, years in business, tax credit level). Matching ranks it for new needs at once.")
            .WithSummary("List a product of the caller's institution");
}
