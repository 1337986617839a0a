using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Tests.Matching;

public class RankingTests
{
    private static string[] Ranked(MatchQuery query, params ProductListing[] products) =>
        A.Matches(query, products).Select(m => m.Product.Id).ToArray();

    [Test]
    public void A_cheaper_rate_ranks_higher_all_else_equal() =>
        Ranked(A.Query(), A.Product("dear") with { MinRate = 5.2m }, A.Product("cheap") with { MinRate = 3.45m })
            .ShouldBe(["cheap", "dear"]);

    [Test]
    public void A_faster_approval_ranks_higher_all_else_equal() =>
        Ranked(A.Query(), A.Product("slow") with { ApprovalDays = 20 }, A.Product("fast") with { ApprovalDays = 2 })
            .ShouldBe(["fast", "slow"]);

    [Test]
    public void A_first_loan_friendly_product_ranks_higher_for_a_first_time_borrower()
    {
        var firstTimer = A.Query(A.Enterprise() with { HasLoanHistory = false });
        var plain = A.Product("plain");
        var friendly = A.Product("friendly") with { FirstLoanFriendly = true, MinRate = 4.2m };   // dearer, still first
        var firstLoanKind = A.Product("first_loan") with { Kind = ProductKind.FirstLoan, MinRate = 4.2m };

        Ranked(firstTimer, plain, friendly).ShouldBe(["friendly", "plain"]);
        Ranked(firstTimer, plain, firstLoanKind).ShouldBe(["first_loan", "plain"]);
    }

    [Test]
    public void First_loan_friendliness_makes_no_difference_to_an_enterprise_with_loan_history() =>
        Scoring.Score(A.Product() with { FirstLoanFriendly = true }, A.Query())
            .ShouldBe(Scoring.Score(A.Product(), A.Query()));

    [Test]
    public void A_product_made_for_the_purpose_ranks_higher()
    {
        var rAndD = A.Query() with { Purpose = FinancingPurpose.RAndD };
        var mortgage = A.Product("mortgage") with { Kind = ProductKind.MortgageLoan };
        var tech = A.Product("tech") with { Kind = ProductKind.TechLoan, MinRate = 4.5m };
        Ranked(rAndD, mortgage, tech).ShouldBe(["tech", "mortgage"]);
        Ranked(rAndD with { Purpose = FinancingPurpose.Equipment }, mortgage, tech).ShouldBe(["mortgage", "tech"]);
        Ranked(rAndD with { Purpose = FinancingPurpose.Refinancing }, A.Product("credit"), A.Product("renewal") with { Kind = ProductKind.Renewal })
            .ShouldBe(["renewal", "credit"]);
    }

    [Test]
    public void Policy_support_ranks_higher() =>
        Ranked(A.Query(), A.Product("none"), A.Product("subsidised") with
            {
                PolicySupport = [PolicySupport.InterestSubsidy, PolicySupport.RiskCompensation], MinRate = 4.5m,
            })
            .ShouldBe(["subsidised", "none"]);

    [Test]
    public void An_amount_comfortably_inside_the_range_ranks_above_one_at_its_edge() =>
        Ranked(A.Query(), A.Product("edge") with { MaxAmount = 3_000_000m }, A.Product("inside") with { MaxAmount = 9_000_000m })
            .ShouldBe(["inside", "edge"]);

    [Test]
    public void A_term_comfortably_inside_the_range_ranks_above_one_at_its_edge() =>
        Ranked(A.Query(), A.Product("edge") with { MinTermMonths = 12 }, A.Product("inside"))
            .ShouldBe(["inside", "edge"]);

    [Test]
    public void An_institution_without_a_track_record_scores_neutral_between_good_and_bad_ones()
    {
        var index = ProductIndex.Build([A.Product("good", "i-good"), A.Product("none", "i-none"), A.Product("bad", "i-bad"), A.Product("new", "i-new")]);
        index.SetTrackRecords(new Dictionary<string, InstitutionTrackRecord>
        {
            ["i-good"] = new(120, OnTimeAnswerRate: 0.98, ApprovalRate: 0.8),
            ["i-bad"] = new(120, OnTimeAnswerRate: 0.4, ApprovalRate: 0.1),
            ["i-new"] = new(0, OnTimeAnswerRate: 0, ApprovalRate: 0),
        });

        var matches = index.Match(A.Query()).Matches;

        matches.Select(m => m.Product.Id).ShouldBe(["good", "new", "none", "bad"]);   // new and none tie: by id
        matches[1].Score.ShouldBe(matches[2].Score);
        Scoring.TrackRecordValue(null).ShouldBe(0.5);
        Scoring.TrackRecordValue(new InstitutionTrackRecord(0, 0, 0)).ShouldBe(0.5);
    }

    [Test]
    public void A_block_whose_best_product_falls_short_of_the_next_block_only_by_its_fit_is_still_searched()
    {
        // One home region, two blocks of 1,024 slots. The first holds "near" (the higher static part: rate 3.19 %, but a
        // term 0.156 points short of a perfect fit) and 1,023 products of the same static part the request cannot take
        // (mortgage only); the second holds "best" alone (rate 3.20 %, every fit perfect). The first block is searched first
        // and "near" sets the bar at limit 1; "best" beats it by 0.13, with the bound of its block only 0.05 above its
        // score (a perfect track record): a bound a tenth of a point too tight would lose it.
        var query = A.Query() with { Amount = 3_000_000m, TermMonths = 12, Limit = 1 };
        var fillers = Enumerable.Range(0, 1_023).Select(i => A.Product($"f{i:D4}") with
        {
            MinRate = 3.19m, ApprovalDays = 1, GuaranteeModes = [GuaranteeMode.Mortgage],
        });
        var near = A.Product("near") with { MinRate = 3.19m, ApprovalDays = 1, MinAmount = 1_000_000m, MaxAmount = 9_000_000m, MinTermMonths = 1, MaxTermMonths = 46 };
        var best = A.Product("best") with { MinRate = 3.20m, ApprovalDays = 1, MinAmount = 1_000_000m, MaxAmount = 9_000_000m, MinTermMonths = 1, MaxTermMonths = 23 };
        var index = ProductIndex.Build([near, .. fillers, best]);
        index.SetTrackRecords(new Dictionary<string, InstitutionTrackRecord> { ["i1"] = new(10_000, 1, 1) });

        var scores = new[] { near, best }.Select(p => Scoring.Score(p, query, new InstitutionTrackRecord(10_000, 1, 1))).ToArray();
        (scores[1] - scores[0]).ShouldBeInRange(0.05, 0.2);
        index.Match(query).Matches.Single().Product.Id.ShouldBe("best");
    }

    [Test]
    public void Ties_break_by_minimum_rate_then_by_product_id()
    {
        // Both rates are below the rate band's floor, so they score the same.
        var products = new[] { A.Product("b") with { MinRate = 2.0m }, A.Product("c") with { MinRate = 1.5m }, A.Product("a") with { MinRate = 2.0m } };
        Ranked(A.Query(), products).ShouldBe(["c", "a", "b"]);
        A.Matches(A.Query(), products).Select(m => m.Score).Distinct().Count().ShouldBe(1);
    }

    [Test]
    public void Scores_lie_between_0_and_100_and_the_list_is_best_first()
    {
        var generator = new Testing.ProductGenerator(7);
        var index = ProductIndex.Build(generator.Products(2_000));
        for (var i = 0; i < 200; i++)
        {
            var matches = index.Match(generator.Query(A.Today, limit: 50)).Matches;
            matches.Count.ShouldBeLessThanOrEqualTo(50);
            foreach (var m in matches) m.Score.ShouldBeInRange(0, 100);
            for (var j = 1; j < matches.Count; j++) matches[j - 1].Score.ShouldBeGreaterThanOrEqualTo(matches[j].Score);
        }
    }

    [Test]
    public void The_limit_caps_the_matches_returned()
    {
        var products = Enumerable.Range(1, 30).Select(i => A.Product($"p{i:D2}") with { MinRate = 3m + i / 10m }).ToArray();
        var index = ProductIndex.Build(products);
        index.Match(A.Query() with { Limit = 5 }).Matches.Select(m => m.Product.Id).ShouldBe(["p01", "p02", "p03", "p04", "p05"]);
        index.Match(A.Query() with { Limit = 0 }).Matches.ShouldBeEmpty();
        index.Match(A.Query() with { Limit = 100 }).Matches.Count.ShouldBe(30);
    }

    [Test]
    public void The_score_of_a_match_is_the_score_Scoring_gives_it()
    {
        var product = A.Product() with { PolicySupport = [PolicySupport.GovGuarantee], ApprovalDays = 3 };
        A.Matches(A.Query(), product).Single().Score.ShouldBe(Scoring.Score(product, A.Query()));
    }
}
