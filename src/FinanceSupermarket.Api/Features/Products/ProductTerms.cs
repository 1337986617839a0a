using FinanceSupermarket.Api.Infrastructure.OpenApi;
using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>What an institution states about a product: the body of listing and of changing it.</summary>
public sealed record ProductTerms(
    string Name, [property: Required] ProductKind? Kind, decimal MinAmount, decimal MaxAmount, int MinTermMonths, int MaxTermMonths,
    decimal MinRate, decimal MaxRate, IReadOnlyList<GuaranteeMode> GuaranteeModes, IReadOnlyList<string>? RegionCodes,
    IReadOnlyList<string>? IndustryCodes, IReadOnlyList<EnterpriseSize>? EnterpriseSizes, IReadOnlyList<EnterpriseTag>? RequiredTags,
    int MinYearsInBusiness, TaxCreditLevel? MinTaxCreditLevel, [property: Required] bool? FirstLoanFriendly, IReadOnlyList<PolicySupport>? PolicySupport,
    int ApprovalDays, [property: MultiLine] string? Description) : Contract.IExample<ProductTerms>
{
    public static ProductTerms Example => new("科技信用贷", ProductKind.TechLoan, 100_000m, 5_000_000m, 6, 36, 3.85m, 6.5m,
        [GuaranteeMode.Credit], ["3304"], ["C39"], [EnterpriseSize.Micro, EnterpriseSize.Small], [EnterpriseTag.TechSme], 1,
        TaxCreditLevel.B, true, [FinanceSupermarket.Domain.PolicySupport.InterestSubsidy], 3, "面向科技型中小企业的纯信用贷款");

    public sealed class Validator : AbstractValidator<ProductTerms>
    {
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.Kind).NotNull().WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<ProductKind>())}.");
            RuleFor(x => x.MinAmount).Money();
            RuleFor(x => x.MaxAmount).Money().GreaterThanOrEqualTo(x => x.MinAmount).WithMessage(_ => RuleTexts.Say("AtLeastMinAmount"));
            RuleFor(x => x.MinTermMonths).TermMonths();
            RuleFor(x => x.MaxTermMonths).TermMonths().GreaterThanOrEqualTo(x => x.MinTermMonths).WithMessage(_ => RuleTexts.Say("AtLeastMinTerm"));
            RuleFor(x => x.MinRate).AnnualRate();
            RuleFor(x => x.MaxRate).AnnualRate().GreaterThanOrEqualTo(x => x.MinRate).WithMessage(_ => RuleTexts.Say("AtLeastMinRate"));
            RuleFor(x => x.GuaranteeModes).NotEmpty().DistinctList(4);
            RuleFor(x => x.RegionCodes!).DistinctList(50).When(x => x.RegionCodes is not null);
            RuleForEach(x => x.RegionCodes).RegionPrefix(codes);
            RuleFor(x => x.IndustryCodes!).DistinctList(50).When(x => x.IndustryCodes is not null);
            RuleForEach(x => x.IndustryCodes).IndustryCode(codes);
            RuleFor(x => x.EnterpriseSizes!).DistinctList(4).When(x => x.EnterpriseSizes is not null);
            RuleFor(x => x.RequiredTags!).DistinctList(6).When(x => x.RequiredTags is not null);
            RuleFor(x => x.PolicySupport!).DistinctList(3).When(x => x.PolicySupport is not null);
            RuleFor(x => x.MinYearsInBusiness).InclusiveBetween(0, 50);
            RuleFor(x => x.FirstLoanFriendly).NotNull();
            RuleFor(x => x.ApprovalDays).InclusiveBetween(1, 90).WithMessage(_ => RuleTexts.Say("ApprovalDays"));
            RuleFor(x => x.Description).Text(2000);
        }
    }
}
