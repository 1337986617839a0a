using System.Net;
using System.Text.RegularExpressions;
using FinanceSupermarket.IntegrationTests.Contract;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Portal;

/// <summary>
/// The cockpit's chart library is the version tools/vendor-echarts.sh pins, served by the host with its licence: a pin
/// changed without running the script (or a file changed by hand) fails here. Static files do not depend on the database.
/// </summary>
[TestFixture(Providers.Sqlite)]
public sealed partial class VendoredEChartsTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task The_host_serves_the_pinned_ECharts_and_its_licence()
    {
        var script = await File.ReadAllTextAsync(Path.Combine(ApiLintTools.Folder, "..", "vendor-echarts.sh"));
        var pinned = Pin().Match(script).Groups[1].Value;
        pinned.ShouldNotBeNullOrEmpty();

        var served = await (await Anonymous.GetAsync("/lib/echarts/echarts.min.js").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        BuiltVersion().Match(served).Groups[1].Value.ShouldBe(pinned, "the vendored echarts.min.js is the version the script pins");
        (await (await Anonymous.GetAsync("/lib/echarts/LICENSE.txt").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync())
            .ShouldContain("Apache License");
        (await (await Anonymous.GetAsync("/lib/echarts/VERSION.txt").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync())
            .ShouldStartWith($"echarts {pinned}\n");
    }

    [GeneratedRegex(@"^ECHARTS_VERSION=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex Pin();

    // The library states its own version in its build: `var version = "6.1.0"`, minified to version="6.1.0".
    [GeneratedRegex(@"\bversion=""(\d+\.\d+\.\d+)""")]
    private static partial Regex BuiltVersion();
}
