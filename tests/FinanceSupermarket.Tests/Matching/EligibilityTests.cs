using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

// One test per hard rule. Each starts from a product and request that match (the first test proves it) and breaks
// one thing.
public class EligibilityTests
{
    [Test]
    public void The_default_test_product_matches_the_default_request() =>
        A.IsMatched(A.Product(), A.Query()).ShouldBeTrue();

    [TestCase(999_999.99, false)]
    [TestCase(1_000_000, true)]
    [TestCase(5_000_000, true)]
    [TestCase(5_000_000.01, false)]
    public void The_amount_must_lie_within_the_products_range(decimal amount, bool matches) =>
        A.IsMatched(A.Product(), A.Query() with { Amount = amount }).ShouldBe(matches);

    [Test]
    public void Amount_bounds_with_many_decimals_are_compared_exactly()
    {
        var product = A.Product() with { MinAmount = 1_000_000.123456m, MaxAmount = 1_000_000.123457m };
        A.IsMatched(product, A.Query() with { Amount = 1_000_000.123456m }).ShouldBeTrue();
        A.IsMatched(product, A.Query() with { Amount = 1_000_000.1234565m }).ShouldBeTrue();
        A.IsMatched(product, A.Query() with { Amount = 1_000_000.1234559m }).ShouldBeFalse();
        A.IsMatched(product, A.Query() with { Amount = 1_000_000.1234571m }).ShouldBeFalse();
    }

    [TestCase(5, false)]
    [TestCase(6, true)]
    [TestCase(36, true)]
    [TestCase(37, false)]
    public void The_term_must_lie_within_the_products_range(int months, bool matches) =>
        A.IsMatched(A.Product(), A.Query() with { TermMonths = months }).ShouldBe(matches);

    [TestCase("330421", true)]      // Jiashan itself
    [TestCase("3304", true)]        // Jiaxing
    [TestCase("33", true)]          // Zhejiang
    [TestCase("330400", true)]      // Jiaxing written as a GB/T 2260 city code
    [TestCase("330481", false)]     // Haining, another county of Jiaxing
    [TestCase("3301", false)]       // Hangzhou
    [TestCase("32", false)]         // Jiangsu
    public void The_enterprise_region_must_start_with_one_of_the_products_regions(string productRegion, bool matches) =>
        A.IsMatched(A.Product() with { RegionCodes = [productRegion] }, A.Query()).ShouldBe(matches);

    [Test]
    public void A_product_without_regions_matches_wherever_its_institution_serves()
    {
        var product = A.Product() with { RegionCodes = [], InstitutionRegionCodes = ["3304"] };
        A.IsMatched(product, A.Query()).ShouldBeTrue();
        A.IsMatched(product, A.Query(A.Enterprise() with { RegionCode = "330106" })).ShouldBeFalse();
    }

    [Test]
    public void The_institution_must_serve_the_enterprise_region_too()
    {
        var kunshanBank = A.Product() with { RegionCodes = ["330421"], InstitutionRegionCodes = ["320583"] };
        A.IsMatched(kunshanBank, A.Query()).ShouldBeFalse();
        A.IsMatched(kunshanBank, A.Query(A.Enterprise() with { RegionCode = "320583" })).ShouldBeFalse();
    }

    [Test]
    public void A_product_and_institution_both_without_regions_match_everywhere() =>
        A.IsMatched(A.Product() with { RegionCodes = [], InstitutionRegionCodes = [] },
            A.Query(A.Enterprise() with { RegionCode = "440704" })).ShouldBeTrue();

    [Test]
    public void Of_several_product_regions_one_is_enough() =>
        A.IsMatched(A.Product() with { RegionCodes = ["320583", "370211", "330421"], InstitutionRegionCodes = [] }, A.Query()).ShouldBeTrue();

    [TestCase("C3911", true)]
    [TestCase("C39", true)]
    [TestCase("C", true)]
    [TestCase("C38", false)]
    [TestCase("I65", false)]
    public void The_industry_must_start_with_an_allowed_prefix(string allowed, bool matches) =>
        A.IsMatched(A.Product() with { IndustryCodes = ["F51", allowed] }, A.Query()).ShouldBe(matches);

    [Test]
    public void A_product_without_industries_is_open_to_all() =>
        A.IsMatched(A.Product() with { IndustryCodes = [] }, A.Query(A.Enterprise() with { IndustryCode = "A0111" })).ShouldBeTrue();

    [Test]
    public void An_enterprise_size_the_product_does_not_serve_does_not_match()
    {
        A.IsMatched(A.Product() with { EnterpriseSizes = [EnterpriseSize.Micro, EnterpriseSize.Small] }, A.Query()).ShouldBeTrue();
        A.IsMatched(A.Product() with { EnterpriseSizes = [EnterpriseSize.Medium, EnterpriseSize.Large] }, A.Query()).ShouldBeFalse();
        A.IsMatched(A.Product() with { EnterpriseSizes = [] }, A.Query()).ShouldBeTrue();
    }

    [Test]
    public void Every_required_tag_must_be_held()
    {
        var product = A.Product() with { RequiredTags = [EnterpriseTag.Specialized, EnterpriseTag.HighTech] };
        A.IsMatched(product, A.Query(A.Enterprise() with { Tags = [EnterpriseTag.HighTech] })).ShouldBeFalse();
        A.IsMatched(product, A.Query(A.Enterprise() with { Tags = [EnterpriseTag.HighTech, EnterpriseTag.Specialized, EnterpriseTag.Green] }))
            .ShouldBeTrue();
    }

    [TestCase("2023-07-01", false)]   // 1 year and 364 days
    [TestCase("2023-06-30", true)]    // exactly 2 years
    [TestCase("2020-01-01", true)]
    public void Whole_years_in_business_must_reach_the_minimum(string establishedOn, bool matches) =>
        A.IsMatched(A.Product() with { MinYearsInBusiness = 2 },
            A.Query(A.Enterprise() with { EstablishedOn = DateOnly.Parse(establishedOn) })).ShouldBe(matches);

    [TestCase(TaxCreditLevel.A, true)]
    [TestCase(TaxCreditLevel.B, true)]
    [TestCase(TaxCreditLevel.M, false)]
    [TestCase(TaxCreditLevel.D, false)]
    public void The_tax_credit_level_must_be_at_least_the_minimum(TaxCreditLevel level, bool matches) =>
        A.IsMatched(A.Product() with { MinTaxCreditLevel = TaxCreditLevel.B },
            A.Query(A.Enterprise() with { TaxCreditLevel = level })).ShouldBe(matches);

    [Test]
    public void Without_a_minimum_tax_credit_level_any_level_matches() =>
        A.IsMatched(A.Product() with { MinTaxCreditLevel = null }, A.Query(A.Enterprise() with { TaxCreditLevel = TaxCreditLevel.D }))
            .ShouldBeTrue();

    [Test]
    public void A_credit_only_request_never_matches_a_mortgage_only_product() =>
        A.IsMatched(A.Product() with { GuaranteeModes = [GuaranteeMode.Mortgage] },
            A.Query() with { GuaranteeModes = [GuaranteeMode.Credit] }).ShouldBeFalse();

    [Test]
    public void One_guarantee_mode_in_common_is_enough() =>
        A.IsMatched(A.Product() with { GuaranteeModes = [GuaranteeMode.Mortgage, GuaranteeMode.Guarantee] },
            A.Query() with { GuaranteeModes = [GuaranteeMode.Credit, GuaranteeMode.Guarantee] }).ShouldBeTrue();

    [TestCase(3.84, false)]
    [TestCase(3.85, true)]
    [TestCase(8, true)]
    public void The_requested_maximum_rate_must_not_be_below_the_products_minimum_rate(decimal maxRate, bool matches) =>
        A.IsMatched(A.Product(), A.Query() with { MaxRate = maxRate }).ShouldBe(matches);

    [Test]
    public void A_delisted_product_never_matches()
    {
        var delisted = A.Product() with { Status = ProductStatus.Delisted };
        A.IsMatched(delisted, A.Query()).ShouldBeFalse();

        var index = ProductIndex.Build([A.Product()]);
        index.Upsert(delisted);
        index.Match(A.Query()).Matches.ShouldBeEmpty();
        index.Match(A.Query() with { IncludeNearMisses = true }).NearMisses.ShouldBeEmpty();
    }

    [Test]
    public void A_blacklisted_enterprise_gets_a_refusal_and_no_matches_or_near_misses()
    {
        var index = ProductIndex.Build([A.Product(), A.Product("p2") with { MinAmount = 4_000_000m }]);

        var result = index.Match(A.Query(A.Enterprise() with { Blacklisted = true }) with { IncludeNearMisses = true });

        result.Matches.ShouldBeEmpty();
        result.NearMisses.ShouldBeEmpty();
        result.Refusal.ShouldNotBeNull();
        result.Refusal.Code.ShouldBe("blacklisted");
        result.Refusal.En.ShouldContain("blacklist");
        result.Refusal.Zh.ShouldContain("黑名单");
    }

    [Test]
    public void A_request_that_is_not_refused_has_no_refusal() =>
        ProductIndex.Build([A.Product()]).Match(A.Query()).Refusal.ShouldBeNull();
}
