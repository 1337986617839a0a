using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Tests.Reference;

/// <summary>中小企业划型标准规定 (工信部联企业〔2011〕300号) article 4 applied through the shipped table.</summary>
public class EnterpriseSizeRulesTests
{
    private static readonly EnterpriseSizeRules Rules = ReferenceData.LoadEmbedded().SizeRules;

    // 工业: 中小微型 below 1000 people or 40000万元; medium from 300 people and 2000万元; small from 20 people and 300万元.
    [TestCase(5000, 500_000_000, EnterpriseSize.Large)]
    [TestCase(1000, 400_000_000, EnterpriseSize.Large)]
    [TestCase(5000, 399_999_999, EnterpriseSize.Medium)]
    [TestCase(300, 20_000_000, EnterpriseSize.Medium)]
    [TestCase(299, 20_000_000, EnterpriseSize.Small)]
    [TestCase(120, 68_000_000, EnterpriseSize.Small)]
    [TestCase(20, 3_000_000, EnterpriseSize.Small)]
    [TestCase(19, 3_000_000, EnterpriseSize.Micro)]
    [TestCase(5000, 2_999_999, EnterpriseSize.Micro)]
    public void Industry_is_sized_by_employees_and_revenue(int employees, decimal revenue, EnterpriseSize size)
    {
        var derived = Rules.Derive("C39", employees, revenue, null);
        derived.Size.ShouldBe(size);
        derived.Basis.ShouldContain("工业");
        derived.Basis.ShouldContain("300号");
    }

    [Test]
    public void A_5000_person_manufacturer_with_large_revenue_is_large_and_the_basis_says_why()
    {
        var derived = Rules.Derive("C3911", 5000, 500_000_000, null);
        derived.Size.ShouldBe(EnterpriseSize.Large);
        derived.Basis.ShouldBe("中小企业划型标准规定 (工信部联企业〔2011〕300号) 第四条（二）工业: 从业人员 5000人, 营业收入 50000万元 → large (大型), not below 1000人 or 40000万元 (中小微型 below).");
    }

    [TestCase("F5111", 10, 20_000_000, EnterpriseSize.Small)]     // 批发业: small from 5 people and 1000万元
    [TestCase("F5211", 10, 20_000_000, EnterpriseSize.Small)]     // 零售业: medium needs 50 people
    [TestCase("I6510", 150, 15_000_000, EnterpriseSize.Medium)]   // 软件和信息技术服务业
    [TestCase("A0111", 3, 400_000, EnterpriseSize.Micro)]         // 农、林、牧、渔业: by revenue alone
    [TestCase("M7320", 150, null, EnterpriseSize.Medium)]         // 其他未列明行业: by employees alone
    [TestCase("G5411", 400, 40_000_000, EnterpriseSize.Medium)]   // 交通运输业
    public void Each_industry_takes_its_own_rule(string industry, int employees, decimal? revenue, EnterpriseSize size) =>
        Rules.Derive(industry, employees, revenue, null).Size.ShouldBe(size);

    [Test]
    public void Asset_weighed_industries_need_total_assets()
    {
        var without = Rules.Derive("E4710", 50, 70_000_000, null);
        without.Size.ShouldBeNull();
        without.Basis.ShouldContain("资产总额 not given");
        Rules.Derive("E4710", 50, 70_000_000, 60_000_000).Size.ShouldBe(EnterpriseSize.Medium);
        Rules.Derive("K7010", 5, 5_000_000, 15_000_000).Size.ShouldBe(EnterpriseSize.Micro);   // 房地产开发经营: small needs 2000万元 assets
    }

    [TestCase("J6620", "does not size")]   // 金融业: its own standard
    [TestCase("G5310", "does not size")]   // railway transport, excluded by article 3
    [TestCase("F", "spans several")]       // wholesale or retail?
    [TestCase("K", "spans several")]
    public void Industries_the_notice_does_not_size_give_no_size(string industry, string basis)
    {
        var derived = Rules.Derive(industry, 50, 10_000_000, 10_000_000);
        derived.Size.ShouldBeNull();
        derived.Basis.ShouldContain(basis);
    }

    [Test]
    public void A_missing_measure_gives_no_size_and_names_it()
    {
        var derived = Rules.Derive("C39", 5000, null, null);
        derived.Size.ShouldBeNull();
        derived.Basis.ShouldContain("营业收入 not given");
    }
}
