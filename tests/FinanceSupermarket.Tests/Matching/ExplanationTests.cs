using System.Text.RegularExpressions;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

public class ExplanationTests
{
    [Test]
    public void A_match_states_the_amount_criterion_in_English_and_Chinese()
    {
        var match = A.Matches(A.Query(), A.Product()).Single();

        var amount = match.Reasons.Single(r => r.Code == "amount_in_range");
        amount.En.ShouldBe("amount 3,000,000 within 1,000,000–5,000,000");
        amount.Zh.ShouldBe("金额 3,000,000 在产品额度 1,000,000–5,000,000 范围内");
    }

    [Test]
    public void A_match_lists_every_hard_rule_it_met()
    {
        var product = A.Product() with
        {
            RegionCodes = ["3304"], IndustryCodes = ["C39"], EnterpriseSizes = [EnterpriseSize.Small], RequiredTags = [EnterpriseTag.HighTech],
            MinYearsInBusiness = 3, MinTaxCreditLevel = TaxCreditLevel.M,
        };
        var query = A.Query(A.Enterprise() with { Tags = [EnterpriseTag.HighTech] }) with { MaxRate = 5m };

        var codes = A.Matches(query, product).Single().Reasons.Select(r => r.Code).ToArray();

        codes.ShouldBeSubsetOf(AllCodes);
        foreach (var code in new[]
                 {
                     "amount_in_range", "term_in_range", "region_served", "industry_eligible", "size_eligible", "required_tags_held",
                     "years_in_business_met", "tax_credit_level_met", "guarantee_mode_accepted", "rate_within_max",
                 })
            codes.ShouldContain(code);
    }

    [Test]
    public void Every_reason_has_a_snake_case_code_and_English_and_Chinese_text()
    {
        var generator = new Testing.ProductGenerator(11);
        var index = ProductIndex.Build(generator.Products(1_000));
        index.SetTrackRecords(generator.TrackRecords());
        var seen = 0;
        for (var i = 0; i < 100; i++)
        {
            var result = index.Match(generator.Query(A.Today, includeNearMisses: true));
            var reasons = result.Matches.SelectMany(m => m.Reasons)
                .Concat(result.NearMisses.SelectMany(n => n.Reasons.Append(n.FailedRule)));
            foreach (var reason in reasons)
            {
                reason.Code.ShouldMatch("^[a-z]+(_[a-z]+)*$");
                reason.En.ShouldNotBeNullOrWhiteSpace();
                Regex.IsMatch(reason.En, @"\p{IsCJKUnifiedIdeographs}").ShouldBeFalse(reason.En);
                Regex.IsMatch(reason.Zh, @"\p{IsCJKUnifiedIdeographs}").ShouldBeTrue(reason.Zh);
                seen++;
            }
        }
        seen.ShouldBeGreaterThan(1_000);
    }

    [Test]
    public void Ranking_reasons_tell_a_first_time_borrower_about_first_loan_and_policy_support()
    {
        var product = A.Product() with
        {
            FirstLoanFriendly = true, PolicySupport = [PolicySupport.InterestSubsidy, PolicySupport.GovGuarantee], Kind = ProductKind.TaxCredit,
        };
        var reasons = A.Matches(A.Query(A.Enterprise() with { HasLoanHistory = false }), product).Single().Reasons;

        reasons.ShouldContain(r => r.Code == "first_loan_friendly" && r.Zh == "支持首贷户");
        reasons.ShouldContain(r => r.Code == "policy_support" && r.En == "policy support: interest subsidy, government financing guarantee"
                                   && r.Zh == "政策支持：贴息、政府性融资担保");
        reasons.ShouldContain(r => r.Code == "purpose_fit" && r.Zh == "税银贷适合流动资金融资");
    }

    [Test]
    public void The_track_record_is_explained_only_when_there_is_one()
    {
        var index = ProductIndex.Build([A.Product()]);
        index.Match(A.Query()).Matches.Single().Reasons.ShouldNotContain(r => r.Code == "institution_track_record");

        index.SetTrackRecords(new Dictionary<string, InstitutionTrackRecord> { ["i1"] = new(40, 0.95, 0.6) });
        index.Match(A.Query()).Matches.Single().Reasons.ShouldContain(r =>
            r.Code == "institution_track_record" && r.En.Contains("95%") && r.Zh.Contains("按时答复率 95%"));
    }

    private static readonly string[] AllCodes = typeof(ReasonCodes).GetFields()
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();
}
