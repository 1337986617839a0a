using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

public class NearMissTests
{
    private static MatchResult WithNearMisses(MatchQuery query, params ProductListing[] products) =>
        ProductIndex.Build(products).Match(query with { IncludeNearMisses = true });

    [Test]
    public void A_product_failing_only_the_guarantee_mode_is_a_near_miss_naming_it()
    {
        var result = WithNearMisses(A.Query(), A.Product("mortgage") with { GuaranteeModes = [GuaranteeMode.Mortgage] });

        result.Matches.ShouldBeEmpty();
        var nearMiss = result.NearMisses.ShouldHaveSingleItem();
        nearMiss.Product.Id.ShouldBe("mortgage");
        nearMiss.FailedRule.ShouldBe(new MatchReason("guarantee_mode", "needs collateral: mortgage", "需要抵押"));
        nearMiss.Reasons.ShouldNotContain(r => r.Code == "guarantee_mode_accepted");
        nearMiss.Reasons.ShouldContain(r => r.Code == "amount_in_range");
        nearMiss.Score.ShouldBe(Scoring.Score(nearMiss.Product, A.Query() with { IncludeNearMisses = true }));
    }

    private static IEnumerable<TestCaseData> OneRuleBroken()
    {
        var p = A.Product();
        var q = A.Query();
        yield return Case("amount", p with { MinAmount = 4_000_000m }, q);
        yield return Case("term", p with { MaxTermMonths = 6 }, q);
        yield return Case("industry", p with { IndustryCodes = ["F51"] }, q);
        yield return Case("enterprise_size", p with { EnterpriseSizes = [EnterpriseSize.Micro] }, q);
        yield return Case("required_tags", p with { RequiredTags = [EnterpriseTag.Green] }, q);
        yield return Case("years_in_business", p with { MinYearsInBusiness = 20 }, q);
        yield return Case("tax_credit_level", p with { MinTaxCreditLevel = TaxCreditLevel.A }, q);
        yield return Case("guarantee_mode", p with { GuaranteeModes = [GuaranteeMode.Pledge] }, q);
        yield return Case("max_rate", p, q with { MaxRate = 3.5m });
        // 首贷 products are for enterprises that never borrowed, 续贷 for those with a loan to renew.
        yield return Case("loan_history", p with { Kind = ProductKind.FirstLoan }, q with { Enterprise = q.Enterprise with { HasLoanHistory = true } });
        yield return Case("loan_history", p with { Kind = ProductKind.Renewal }, q with { Enterprise = q.Enterprise with { HasLoanHistory = false } });

        static TestCaseData Case(string rule, ProductListing product, MatchQuery query) =>
            new TestCaseData(rule, product, query).SetArgDisplayNames(rule);
    }

    [TestCaseSource(nameof(OneRuleBroken))]
    public void Each_hard_rule_can_be_the_one_a_near_miss_failed(string rule, ProductListing product, MatchQuery query)
    {
        var result = WithNearMisses(query, product);

        result.Matches.ShouldBeEmpty();
        var nearMiss = result.NearMisses.ShouldHaveSingleItem();
        nearMiss.FailedRule.Code.ShouldBe(rule);
        nearMiss.FailedRule.En.ShouldNotBeNullOrWhiteSpace();
        nearMiss.FailedRule.Zh.ShouldNotBeNullOrWhiteSpace();
    }

    [Test]
    public void A_product_failing_two_rules_is_not_a_near_miss() =>
        WithNearMisses(A.Query(), A.Product() with { GuaranteeModes = [GuaranteeMode.Mortgage], MinAmount = 4_000_000m })
            .NearMisses.ShouldBeEmpty();

    [Test]
    public void A_product_of_another_region_is_not_a_near_miss() =>
        WithNearMisses(A.Query(), A.Product() with { RegionCodes = ["320583"], InstitutionRegionCodes = [] }).NearMisses.ShouldBeEmpty();

    [Test]
    public void Near_misses_are_returned_only_when_asked_for()
    {
        var index = ProductIndex.Build([A.Product() with { MinAmount = 4_000_000m }]);
        index.Match(A.Query()).NearMisses.ShouldBeEmpty();
        index.Match(A.Query() with { IncludeNearMisses = true }).NearMisses.Count.ShouldBe(1);
    }

    [Test]
    public void Near_misses_are_the_best_up_to_the_limit_and_matches_are_unchanged_by_asking_for_them()
    {
        var products = Enumerable.Range(1, 10)
            .Select(i => A.Product($"near{i:D2}") with { MinRate = 3m + i / 10m, GuaranteeModes = [GuaranteeMode.Mortgage] })
            .Append(A.Product("match")).ToArray();
        var index = ProductIndex.Build(products);

        var result = index.Match(A.Query() with { Limit = 3, IncludeNearMisses = true });

        result.NearMisses.Select(n => n.Product.Id).ShouldBe(["near01", "near02", "near03"]);
        result.Matches.Select(m => m.Product.Id).ShouldBe(index.Match(A.Query() with { Limit = 3 }).Matches.Select(m => m.Product.Id));
    }
}
