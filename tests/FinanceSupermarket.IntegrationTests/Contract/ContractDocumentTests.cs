using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Contract;

/// <summary>
/// /openapi/v1.json is the contract banks integrate from: what the host serves is what the client was generated from,
/// every operation says who may call it and what it answers, and the linters find nothing. The document does not depend
/// on the database, so one provider suffices.
/// </summary>
public sealed class ContractDocumentTests() : ApiTestBase(Providers.Sqlite)
{
    private JsonObject _document = null!;
    private string _file = "";

    [OneTimeSetUp]
    public async Task ReadTheServedDocumentAsync()
    {
        var text = await (await Anonymous.GetAsync("/openapi/v1.json").ShouldBe(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        _document = JsonNode.Parse(text)!.AsObject();
        _file = Path.Combine(TestContext.CurrentContext.WorkDirectory, "openapi-served.json");
        await File.WriteAllTextAsync(_file, text);
    }

    [Test]
    public async Task The_served_document_is_the_one_the_client_was_generated_from()
    {
        var built = JsonNode.Parse(await File.ReadAllTextAsync(ApiLintTools.BuildTimeDocument))!.AsObject();
        var served = _document.DeepClone().AsObject();
        // Only the server differs: the served document names the address it was asked at.
        served.Remove("servers").ShouldBeTrue();
        built.Remove("servers");

        JsonNode.DeepEquals(served, built).ShouldBeTrue(
            $"the host serves another document than {ApiLintTools.BuildTimeDocument}: rebuild the test project (the build regenerates it)");
    }

    [Test]
    public void Every_operation_has_a_stable_id_a_summary_a_description_and_its_security()
    {
        var operations = Operations().ToArray();
        operations.Length.ShouldBeGreaterThan(60);
        foreach (var (name, operation) in operations)
        {
            ((string?)operation["operationId"]).ShouldNotBeNullOrEmpty(name);
            ((string?)operation["summary"]).ShouldNotBeNullOrEmpty(name);
            ((string?)operation["description"]).ShouldNotBeNullOrEmpty(name);
            operation["security"].ShouldNotBeNull($"{name} says who may call it (an empty list: anyone)");
        }
        operations.Select(pair => (string)pair.Operation["operationId"]!).ShouldBeUnique();
        Operation("post", "/api/v1/financing-requests")["operationId"]!.GetValue<string>().ShouldBe("submitFinancingRequest");
        Operation("get", "/api/v1/products")["security"]!.AsArray().ShouldBeEmpty();
        Operation("get", "/api/v1/dispatches")["security"]!.AsArray().Select(requirement => requirement!.AsObject().Single().Key)
            .ShouldBe(["bearer", "clientCredentials"]);
        Operation("get", "/api/v1/statistics/summary")["security"]!.AsArray().Select(requirement => requirement!.AsObject().Single().Key)
            .ShouldBe(["bearer"]);
    }

    [Test]
    public void Errors_are_problems_and_a_bad_request_names_its_fields()
    {
        foreach (var (name, operation) in Operations())
        foreach (var (status, response) in operation["responses"]!.AsObject().Where(pair => pair.Key.StartsWith('4')))
        {
            var content = response!["content"]!.AsObject();
            if (name == "post /api/v1/auth/token") continue; // RFC 6749 §5.2 errors
            var schema = (string)content["application/problem+json"]!["schema"]!["$ref"]!;
            schema.ShouldBe(status == "400" ? "#/components/schemas/ValidationProblemDetails" : "#/components/schemas/ProblemDetails", $"{name} {status}");
        }
        var validation = Schema("ValidationProblemDetails");
        validation["required"]!.AsArray().Select(field => (string)field!).ShouldContain("errors");
        validation["properties"]!["errors"]!["additionalProperties"]!["items"]!["type"]!.GetValue<string>().ShouldBe("string");
    }

    [Test]
    public void Created_answers_give_their_location_and_a_retry_is_marked()
    {
        foreach (var (name, operation) in Operations())
            if (operation["responses"]!["201"] is { } created)
                created["headers"]!["Location"].ShouldNotBeNull(name);
        var submit = Operation("post", "/api/v1/financing-requests");
        submit["parameters"]!.AsArray().Single(parameter => (string)parameter!["name"]! == "Idempotency-Key")!["in"]!.GetValue<string>().ShouldBe("header");
        submit["responses"]!["201"]!["headers"]!["Idempotent-Replayed"].ShouldNotBeNull();
        submit["responses"]!["422"].ShouldNotBeNull();
        Operation("post", "/api/v1/auth/sign-in")["responses"]!["429"]!["headers"]!["Retry-After"].ShouldNotBeNull();
    }

    [Test]
    public void Enums_are_listed_by_value_and_money_is_decimal()
    {
        Schema("FinancingPurpose")["enum"]!.AsArray().Select(value => (string)value!)
            .ShouldBe(["working_capital", "equipment", "r_and_d", "trade", "expansion", "refinancing"]);
        Schema("TaxCreditLevel")["enum"]!.AsArray().Select(value => (string)value!).ShouldBe(["D", "C", "M", "B", "A"], ignoreOrder: true);
        Schema("RequestTerms")["properties"]!["amount"]!["format"]!.GetValue<string>().ShouldBe("decimal");
        Schema("RequestTerms")["properties"]!["guaranteeModes"]!["items"]!["$ref"]!.GetValue<string>().ShouldBe("#/components/schemas/GuaranteeMode");
        // Money and interest rates, wherever they appear (ratios, hours and scores are doubles, and say so).
        var moneyAndRates = (from schema in _document["components"]!["schemas"]!.AsObject()
                             from property in schema.Value!["properties"]?.AsObject() ?? []
                             where (property.Key.Contains("amount", StringComparison.OrdinalIgnoreCase) && !property.Key.EndsWith("Progress", StringComparison.Ordinal)) || property.Key is "rate" or "minRate" or "maxRate"
                                   || property.Key.EndsWith("AverageRate", StringComparison.Ordinal) || property.Key == "approvedRate"
                             select (Name: $"{schema.Key}.{property.Key}", Format: (string?)property.Value!["format"])).ToArray();
        moneyAndRates.Length.ShouldBeGreaterThan(20);
        moneyAndRates.Where(field => field.Format != "decimal").ShouldBeEmpty();
    }

    [Test]
    public void A_field_that_may_be_null_is_not_required()
    {
        var terms = Schema("RequestTerms");
        var required = terms["required"]!.AsArray().Select(field => (string)field!).ToArray();
        required.ShouldBe(["amount", "termMonths", "purpose", "guaranteeModes"], ignoreOrder: true);
        // The validator refuses a missing purpose: required, and not null.
        terms["properties"]!["purpose"]!["$ref"].ShouldNotBeNull();
        terms["example"]!["purpose"]!.GetValue<string>().ShouldBe("working_capital");
    }

    [Test]
    public async Task Redocly_finds_nothing()
    {
        var lint = await ApiLintTools.RunAsync("redocly", "lint", _file, "--config", "redocly.yaml", "--format", "json");
        var totals = JsonNode.Parse(lint.Output)!["totals"]!;
        (totals["errors"]!.GetValue<int>(), totals["warnings"]!.GetValue<int>()).ShouldBe((0, 0), lint.Output);
        lint.ExitCode.ShouldBe(0, lint.Errors);
    }

    [Test]
    public async Task Spectral_finds_nothing()
    {
        var lint = await ApiLintTools.RunAsync("spectral", "lint", _file, "--ruleset", ".spectral.yaml", "--format", "json", "--fail-severity", "warn", "--quiet");
        JsonNode.Parse(lint.Output)!.AsArray().ShouldBeEmpty(lint.Output);
        lint.ExitCode.ShouldBe(0, lint.Errors);
    }

    private IEnumerable<(string Name, JsonObject Operation)> Operations() =>
        from path in _document["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        select ($"{method.Key} {path.Key}", method.Value!.AsObject());

    private JsonObject Operation(string method, string path) => _document["paths"]![path]![method]!.AsObject();

    private JsonObject Schema(string name) => _document["components"]!["schemas"]![name]!.AsObject();
}
