using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using FinanceSupermarket.IntegrationTests.Infrastructure;

namespace FinanceSupermarket.IntegrationTests.Validation;

/// <summary>What a bad body is posted to.</summary>
public enum Target
{
    FinancingRequest, NewProduct, ProductChange, NewEnterprise, EnterpriseUpdate, EnterpriseChange, NewInstitution, InstitutionChange,
    Decline, Feedback, Rating, RegionTarget, Blacklist,
    SignUp, SignIn, Refresh, MfaConfirm, PasswordReset, PasswordResetConfirm, Invitation, InvitationAccept, ApiClient, RegulatorOffice, Webhook,
}

/// <summary>Who sends a bad query string.</summary>
public enum Asker { Enterprise, Institution, Regulator, Admin }

/// <summary>
/// Safe writes (issue 2, point 5): every malformed, mistyped, out-of-range or overlong input is a 400 problem naming
/// the field, never a 500, and leaves the database exactly as it was. The cases refused before any SQL runs (the JSON
/// binding, the validators) are the same on every provider and run on SQLite (<see cref="BadInputBeforeSqlTests"/>);
/// those refused by what is stored, and the controls that do write, run on both (<see cref="BadInputTests"/>).
/// </summary>
public abstract class BadInputFixture(string provider) : ApiTestBase(provider)
{
    private const string Absent = "<absent>";
    private const string Body = "body";

    private string _institution = "";
    private string _changedInstitution = "";
    private string _enterprise = "";
    private Dictionary<string, object?> _enterpriseBody = null!;
    private string _product = "";
    private string _request = "";
    private string _pendingDispatch = "";
    private string _acceptedDispatch = "";
    private string _resolvedRequest = "";
    private string _personLogin = "";
    private SignedIn _person = null!;
    private SignedIn _manager = null!;

    [OneTimeSetUp]
    public async Task CreateResourcesAsync()
    {
        _institution = await RegisterInstitutionAsync("33");
        _changedInstitution = await RegisterInstitutionAsync("33");
        _enterprise = Guid.NewGuid().ToString();
        _enterpriseBody = EnterpriseBody();
        await EnterpriseClient(_enterprise).PostJsonAsync("/api/v1/enterprises", _enterpriseBody).ShouldBe(HttpStatusCode.Created);
        _product = await ListProductAsync(_institution);
        _request = await SubmitRequestAsync(_enterprise);
        // Answers and ratings are aimed at a pending dispatch, an accepted one and a resolved request that stay so.
        _pendingDispatch = await PendingDispatchAsync(_enterprise, _institution);
        _acceptedDispatch = await AcceptedDispatchAsync(_enterprise, _institution);
        _resolvedRequest = await ResolvedRequestAsync(_enterprise, _institution);
        // A person with an account, and the institution's manager (with the second factor that role needs).
        _personLogin = People.NewLogin("badinput");
        await Host.SignUpAsync(_personLogin);
        _person = await Host.SignInAsync(_personLogin);
        var (managerLogin, _) = await Host.InviteNewPersonAsync(Admin, "institution", _institution, "manager");
        var setupOnly = await Host.SignInAsync(managerLogin);
        await Host.TurnOnMfaAsync(setupOnly);
        _manager = await Host.RefreshAsync(setupOnly);
    }

    /// <summary>Confirming a second factor: fresh, by a new person who has started setting one up, with the current code of its secret.</summary>
    private async Task<(HttpClient, HttpMethod, string, JsonObject)> MfaConfirmationAsync(bool fresh)
    {
        var (client, code) = (_person.Client, "123456");
        if (fresh)
        {
            var login = People.NewLogin("mfa");
            await Host.SignUpAsync(login);
            client = (await Host.SignInAsync(login)).Client;
            var setup = await (await client.PostJsonAsync("/api/v1/auth/mfa/setup", new { }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
            code = Host.Totp((string)setup["secret"]!);
        }
        return (client, HttpMethod.Post, "/api/v1/auth/mfa/confirm", ToJson(new() { ["code"] = code }));
    }

    /// <summary>A reset code for the person, as the outbox holds it.</summary>
    private async Task<string> ResetCodeAsync()
    {
        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset", new { login = _personLogin }).ShouldBe(HttpStatusCode.Accepted);
        var outbox = await (await Admin.GetAsync($"/api/v1/admin/messages?recipient={Uri.EscapeDataString(_personLogin)}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        return System.Text.RegularExpressions.Regex.Match((string)outbox["items"]![0]!["body"]!, @"\b\d{6}\b").Value;
    }

    /// <summary>Accepting an invitation: fresh, by a new person with a new invitation into the enterprise.</summary>
    private async Task<(HttpClient, HttpMethod, string, JsonObject)> AcceptanceAsync(bool fresh)
    {
        var (client, code) = (_person.Client, "no-such-code");
        if (fresh)
        {
            var login = People.NewLogin("invited");
            await Host.SignUpAsync(login);
            client = (await Host.SignInAsync(login)).Client;
            var invitation = await (await Admin.PostJsonAsync("/api/v1/invitations", new { organisationKind = "enterprise", organisationId = _enterprise, role = "member" })
                .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
            code = (string)invitation["code"]!;
        }
        return (client, HttpMethod.Post, "/api/v1/invitations/accept", ToJson(new() { ["code"] = code }));
    }

    private static Dictionary<string, object?> ApprovalBody() => new()
    {
        ["outcome"] = "approved", ["amount"] = 1_000_000m, ["rate"] = 4.35m, ["termMonths"] = 12,
    };

    private static string WrongCheckCharacter()
    {
        var good = CreditCode.WithCheckCharacter("91330421MA0000001");
        return good[..17] + (good[17] == '0' ? '1' : '0');
    }

    private static string Text(int length) => JsonSerializer.Serialize(new string('贷', length));

    /// <summary>Whole bodies that are not the JSON object the endpoint takes.</summary>
    private static readonly (string Label, string Raw)[] BrokenBodies =
    [
        ("malformed JSON", """{"amount": 10"""),
        ("malformed JSON inside a list", """{"guaranteeModes": ["credit", }"""),
        ("a JSON array", "[]"),
        ("an array of objects", """[{"name": "x"}]"""),
        ("an empty body", ""),
        ("JSON null", "null"),
        ("a bare number", "42"),
        ("a bare string", "\"hello\""),
    ];

    // (field, raw JSON value or Absent, the key the errors must name)
    private static readonly (string Field, string Value, string Key)[] RequestFields =
    [
        ("amount", "\"lots\"", "amount"),
        ("amount", "-1000", "amount"),
        ("amount", "0", "amount"),
        ("amount", "1e15", "amount"),
        ("amount", "10000000000.01", "amount"),
        ("amount", "1000.123", "amount"),
        ("amount", "1e400", "amount"),
        ("amount", "null", "amount"),
        ("amount", Absent, "amount"),
        ("amount", "true", "amount"),
        ("termMonths", "1.5", "termMonths"),
        ("termMonths", "0", "termMonths"),
        ("termMonths", "361", "termMonths"),
        ("termMonths", "\"12\"", "termMonths"),
        ("termMonths", "1e400", "termMonths"),
        ("termMonths", "99999999999", "termMonths"),
        ("purpose", "\"gambling\"", "purpose"),
        ("purpose", "1", "purpose"),
        ("purpose", "\"Working_Capital\"", "purpose"),
        ("purpose", Absent, "purpose"),
        ("guaranteeModes", "\"credit\"", "guaranteeModes"),
        ("guaranteeModes", "[]", "guaranteeModes"),
        ("guaranteeModes", "null", "guaranteeModes"),
        ("guaranteeModes", "[\"credit\",\"credit\"]", "guaranteeModes"),
        ("guaranteeModes", "[\"cash\"]", "guaranteeModes"),
        ("guaranteeModes", "[0]", "guaranteeModes"),
        ("guaranteeModes", "[null]", "guaranteeModes"),
        ("maxRate", "0", "maxRate"),
        ("maxRate", "36.5", "maxRate"),
        ("maxRate", "3.8555", "maxRate"),
        ("maxRate", "\"low\"", "maxRate"),
        ("neededBy", "\"2026-02-01\"", "neededBy"),
        ("neededBy", "\"next week\"", "neededBy"),
        ("description", Text(2001), "description"),
        ("description", "12", "description"),
        ("description", "\"采购\\u0000原材料\"", "description"),
        ("description", "\"\\u200b\\u3000\\ufeff\"", "description"),
        ("neededBy", "\"9999-12-31\"", "neededBy"),
        ("neededBy", "\"2031-03-03\"", "neededBy"),
        ("neededBy", "\"0001-01-01\"", "neededBy"),
    ];

    private static readonly (string Field, string Value, string Key)[] ProductFields =
    [
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("name", Absent, "name"),
        ("kind", "\"crypto\"", "kind"),
        ("kind", "3", "kind"),
        ("kind", Absent, "kind"),
        ("minAmount", "-1", "minAmount"),
        ("minAmount", "0", "minAmount"),
        ("minAmount", "0.001", "minAmount"),
        ("minAmount", "\"lots\"", "minAmount"),
        ("minAmount", "1e400", "minAmount"),
        ("minAmount", "6000000", "maxAmount"),
        ("maxAmount", "1e15", "maxAmount"),
        ("minTermMonths", "1.5", "minTermMonths"),
        ("minTermMonths", "0", "minTermMonths"),
        ("maxTermMonths", "3", "maxTermMonths"),
        ("minRate", "0", "minRate"),
        ("minRate", "37", "minRate"),
        ("minRate", "3.8555", "minRate"),
        ("maxRate", "3.5", "maxRate"),
        ("guaranteeModes", "[]", "guaranteeModes"),
        ("guaranteeModes", "\"credit\"", "guaranteeModes"),
        ("guaranteeModes", "[\"credit\",\"credit\"]", "guaranteeModes"),
        ("guaranteeModes", "[\"cash\"]", "guaranteeModes"),
        ("regionCodes", "[\"33042\"]", "regionCodes"),
        ("regionCodes", "[\"abcdef\"]", "regionCodes"),
        ("regionCodes", "[\"33\",\"33\"]", "regionCodes"),
        ("regionCodes", "\"33\"", "regionCodes"),
        ("industryCodes", "[\"c39\"]", "industryCodes"),
        ("industryCodes", "[\"Z99\"]", "industryCodes"),
        ("industryCodes", "[\"C3\"]", "industryCodes"),
        ("regionCodes", "[\"3399\"]", "regionCodes"),              // no city 3399 in GB/T 2260
        ("industryCodes", "[\"A99\"]", "industryCodes"),            // no division 99 in GB/T 4754-2017
        ("enterpriseSizes", "[\"huge\"]", "enterpriseSizes"),
        ("enterpriseSizes", "[\"small\",\"small\"]", "enterpriseSizes"),
        ("requiredTags", "[\"crypto\"]", "requiredTags"),
        ("requiredTags", "[\"green\",\"green\"]", "requiredTags"),
        ("minTaxCreditLevel", "\"E\"", "minTaxCreditLevel"),
        ("minTaxCreditLevel", "4", "minTaxCreditLevel"),
        ("firstLoanFriendly", "\"yes\"", "firstLoanFriendly"),
        ("firstLoanFriendly", "null", "firstLoanFriendly"),
        ("policySupport", "[\"free_money\"]", "policySupport"),
        ("approvalDays", "0", "approvalDays"),
        ("approvalDays", "91", "approvalDays"),
        ("minYearsInBusiness", "-1", "minYearsInBusiness"),
        ("description", Text(2001), "description"),
    ];

    private static readonly (string Field, string Value, string Key)[] EnterpriseFields =
    [
        ("creditCode", JsonSerializer.Serialize(WrongCheckCharacter()), "creditCode"),
        ("creditCode", "\"91330421MA0000001\"", "creditCode"),
        ("creditCode", "\"91330421ma00000010\"", "creditCode"),
        ("creditCode", "\"\"", "creditCode"),
        ("creditCode", Absent, "creditCode"),
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("regionCode", "\"33042\"", "regionCode"),
        ("regionCode", "\"abcdef\"", "regionCode"),
        ("regionCode", "\"033042\"", "regionCode"),
        ("regionCode", "330421", "regionCode"),
        ("industryCode", "\"c39\"", "industryCode"),
        ("industryCode", "\"Z1\"", "industryCode"),
        ("industryCode", "\"C3\"", "industryCode"),
        ("regionCode", "\"339999\"", "regionCode"),
        ("industryCode", "\"A99\"", "industryCode"),
        ("totalAssets", "-1", "totalAssets"),
        ("registeredElsewhereReason", Text(501), "registeredElsewhereReason"),
        ("industryCode", "\"C39 \"", "industryCode"),
        ("regionCode", "\"330421\\n\"", "regionCode"),
        ("regionCode", "\"\\ufeff330421\"", "regionCode"),
        ("name", "\" 嘉善测试电子有限公司\"", "name"),
        ("name", "\"嘉善\\u0000电子\"", "name"),
        ("name", "\"\\u3164\"", "name"),
        ("name", "\"\\u202e司公限有子电\"", "name"),
        ("size", "\"huge\"", "size"),
        ("size", "1", "size"),
        ("size", Absent, "size"),
        ("employees", "1.5", "employees"),
        ("employees", "-1", "employees"),
        ("annualRevenue", "-1", "annualRevenue"),
        ("annualRevenue", "1.001", "annualRevenue"),
        ("annualRevenue", "1e400", "annualRevenue"),
        ("annualRevenue", "\"lots\"", "annualRevenue"),
        ("establishedOn", "\"2030-01-01\"", "establishedOn"),
        ("establishedOn", "\"01/06/2015\"", "establishedOn"),
        ("establishedOn", "\"1900-01-01\"", "establishedOn"),
        ("establishedOn", Absent, "establishedOn"),
        ("tags", "[\"green\",\"green\"]", "tags"),
        ("tags", "[\"crypto\"]", "tags"),
        ("tags", "\"green\"", "tags"),
        ("taxCreditLevel", "\"E\"", "taxCreditLevel"),
        ("taxCreditLevel", "\"a\"", "taxCreditLevel"),
        ("taxCreditLevel", "0", "taxCreditLevel"),
        ("hasLoanHistory", "\"no\"", "hasLoanHistory"),
        ("hasLoanHistory", "null", "hasLoanHistory"),
    ];

    private static readonly (string Field, string Value, string Key)[] InstitutionFields =
    [
        ("name", Text(201), "name"),
        ("name", "\"\"", "name"),
        ("kind", "\"crypto\"", "kind"),
        ("kind", "0", "kind"),
        ("regionCodes", "[]", "regionCodes"),
        ("regionCodes", "[\"33042\"]", "regionCodes"),
        ("regionCodes", "[\"abcdef\"]", "regionCodes"),
        ("regionCodes", "[\"33\",\"33\"]", "regionCodes"),
        ("regionCodes", "\"33\"", "regionCodes"),
        ("regionCodes", "[\"39\"]", "regionCodes"),
        ("webhookUrl", "\"ftp://bank.example.com/hook\"", "webhookUrl"),
        ("webhookUrl", "\"not a url\"", "webhookUrl"),
        ("webhookUrl", "\"https://bank.example.com/hook\"", "webhookSecret"),   // a change too: no secret is stored
        // Without a webhook too: a secret that is not a Standard Webhooks secret (PostgreSQL once refused an overlong one with a 500).
        ("webhookSecret", Text(201), "webhookSecret"),
        ("webhookSecret", "\"secret\\u0000\"", "webhookSecret"),
        ("webhookUrl", "\"https://bank.example.com/hook\\n\"", "webhookUrl"),
        // Not into the platform's own networks: a loopback, link-local (cloud metadata) or private address, or a name for one.
        ("webhookUrl", "\"https://127.0.0.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://169.254.169.254/latest/meta-data\"", "webhookUrl"),
        ("webhookUrl", "\"https://[::1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://localhost/hook\"", "webhookUrl"),
        ("webhookUrl", "\"http://bank.example.com/hook\"", "webhookUrl"),   // https outside Development
        ("webhookSecret", "\"not-a-standard-webhooks-secret\"", "webhookSecret"),
        ("webhookSecret", "\"whsec_c2hvcnQ=\"", "webhookSecret"),            // 5 bytes: the spec asks for 24 to 64
        ("regionCodes", "[\"33\\n\"]", "regionCodes[0]"),
        ("regionCodes", "[\"339999\"]", "regionCodes[0]"),   // no county 339999 in GB/T 2260
        ("regionCodes", "[\"330421\",\"3399\"]", "regionCodes[1]"),
    ];

    // Where an institution points its own webhook (PUT /institutions/{id}/webhook).
    private static readonly (string Field, string Value, string Key)[] WebhookFields =
    [
        ("webhookUrl", Absent, "webhookUrl"),
        ("webhookUrl", "null", "webhookUrl"),
        ("webhookUrl", "\"\"", "webhookUrl"),
        ("webhookUrl", Text(501), "webhookUrl"),
        ("webhookUrl", "\"not a url\"", "webhookUrl"),
        ("webhookUrl", "\"ftp://bank.example.com/hook\"", "webhookUrl"),
        ("webhookUrl", "\"http://bank.example.com/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://user:password@bank.example.com/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://127.0.0.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://127.0.0.1:8443/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://2130706433/hook\"", "webhookUrl"),                 // 127.0.0.1 written as one number
        ("webhookUrl", "\"https://169.254.169.254/latest/meta-data\"", "webhookUrl"),
        ("webhookUrl", "\"https://100.100.100.200/latest/meta-data\"", "webhookUrl"), // Alibaba Cloud's metadata service
        ("webhookUrl", "\"https://[::1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[::ffff:127.0.0.1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[64:ff9b::a9fe:a9fe]/hook\"", "webhookUrl"),       // NAT64 of 169.254.169.254
        ("webhookUrl", "\"https://localhost/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://10.1.2.3/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://172.16.0.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://192.168.1.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://100.64.0.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://0.0.0.0/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://224.0.0.1/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[fd00::1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[fe80::1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[ff02::1]/hook\"", "webhookUrl"),
        ("webhookUrl", "\"https://[::]/hook\"", "webhookUrl"),
    ];

    private static readonly (string Field, string Value, string Key)[] DeclineFields =
    [
        ("reasonCode", Absent, "reasonCode"),
        ("reasonCode", "null", "reasonCode"),
        ("reasonCode", "\"too_busy\"", "reasonCode"),
        ("reasonCode", "\"Capacity\"", "reasonCode"),
        ("reasonCode", "4", "reasonCode"),
        ("reason", Text(501), "reason"),
        ("reason", "42", "reason"),
        ("reason", "\"\\u0000\"", "reason"),
        ("reason", "\"\\u3000\\u3000\"", "reason"),
    ];

    // The valid body is an approval: amount, rate and termMonths are then required.
    private static readonly (string Field, string Value, string Key)[] FeedbackFields =
    [
        ("outcome", "\"maybe\"", "outcome"),
        ("outcome", "1", "outcome"),
        ("outcome", Absent, "outcome"),
        ("outcome", "\"rejected\"", "reason"),
        ("amount", Absent, "amount"),
        ("amount", "-1", "amount"),
        ("amount", "0", "amount"),
        ("amount", "1000.001", "amount"),
        ("amount", "10000000000.01", "amount"),
        ("amount", "\"lots\"", "amount"),
        ("amount", "1e400", "amount"),
        ("rate", "40", "rate"),
        ("rate", "0", "rate"),
        ("rate", Absent, "rate"),
        ("rate", "4.3555", "rate"),
        ("termMonths", "0", "termMonths"),
        ("termMonths", "361", "termMonths"),
        ("termMonths", "1.5", "termMonths"),
        ("termMonths", Absent, "termMonths"),
        ("reason", Text(501), "reason"),
    ];

    private static readonly (string Field, string Value, string Key)[] RatingFields =
    [
        ("score", "0", "score"),
        ("score", "6", "score"),
        ("score", "-1", "score"),
        ("score", "\"five\"", "score"),
        ("score", "4.5", "score"),
        ("score", "null", "score"),
        ("score", Absent, "score"),
        ("comment", Text(501), "comment"),
        ("comment", "5", "comment"),
    ];

    private static readonly (string Field, string Value, string Key)[] TargetFields =
    [
        ("year", "1900", "year"),
        ("year", "2101", "year"),
        ("year", "2037", "year"),
        ("regionCode", "\"330421\\n\"", "regionCode"),
        ("year", "\"2026\"", "year"),
        ("approvedAmount", "-1", "approvedAmount"),
        ("approvedAmount", "0", "approvedAmount"),
        ("approvedAmount", "1.001", "approvedAmount"),
        ("approvedAmount", "1e400", "approvedAmount"),
        ("approvedCount", "0", "approvedCount"),
        ("approvedCount", "1.5", "approvedCount"),
        ("regionCode", "\"abc\"", "regionCode"),
        ("regionCode", "\"33042\"", "regionCode"),
        ("regionCode", Absent, "regionCode"),
    ];

    private static readonly (string Field, string Value, string Key)[] BlacklistFields =
    [
        ("creditCode", JsonSerializer.Serialize(WrongCheckCharacter()), "creditCode"),
        ("creditCode", "\"abc\"", "creditCode"),
        ("creditCode", "\"\"", "creditCode"),
        ("creditCode", Absent, "creditCode"),
        ("creditCode", "91330421", "creditCode"),
        ("reason", Absent, "reason"),
        ("reason", Text(501), "reason"),
        ("reason", "\"失信\\u001b被执行人\"", "reason"),
    ];

    private static readonly (string Field, string Value, string Key)[] SignUpFields =
    [
        ("login", "\"not-a-login\"", "login"),
        ("login", "\"12345678901\"", "login"),
        ("login", "\"\"", "login"),
        ("login", Absent, "login"),
        ("login", Text(201), "login"),
        ("password", "\"short\"", "password"),
        ("password", "\"qwertyuiop\"", "password"),
        ("password", Text(201), "password"),
        ("password", Absent, "password"),
        ("displayName", "\"\"", "displayName"),
        ("displayName", Text(101), "displayName"),
        ("displayName", Absent, "displayName"),
        ("displayName", "\"\\u200b\"", "displayName"),
        ("displayName", "\"新用户\\n\"", "displayName"),
        ("login", "\"new.person@test.local\\n\"", "login"),
        ("password", "\"Correct-Horse\\u0000-9\"", "password"),
        ("password", "\"\\u3000\\u3000\\u3000\\u3000\\u3000\\u3000\\u3000\\u3000\\u3000\\u3000\"", "password"),
    ];

    private static readonly (string Field, string Value, string Key)[] SignInFields =
    [
        ("login", "\"\"", "login"),
        ("login", Absent, "login"),
        ("login", Text(201), "login"),
        ("password", "\"\"", "password"),
        ("password", Absent, "password"),
        ("password", "42", "password"),
        ("totp", Text(21), "totp"),
        ("membershipId", Text(37), "membershipId"),
    ];

    private static readonly (string Field, string Value, string Key)[] RefreshFields =
    [
        ("refreshToken", "\"\"", "refreshToken"),
        ("refreshToken", Absent, "refreshToken"),
        ("refreshToken", Text(101), "refreshToken"),
        ("membershipId", Text(37), "membershipId"),
    ];

    private static readonly (string Field, string Value, string Key)[] MfaConfirmFields =
    [
        ("code", "\"12345\"", "code"),
        ("code", "\"abcdef\"", "code"),
        ("code", "123456", "code"),
        ("code", Absent, "code"),
    ];

    private static readonly (string Field, string Value, string Key)[] PasswordResetFields =
    [
        ("login", "\"\"", "login"),
        ("login", Absent, "login"),
        ("login", Text(201), "login"),
    ];

    private static readonly (string Field, string Value, string Key)[] PasswordResetConfirmFields =
    [
        ("login", Absent, "login"),
        ("code", "\"12\"", "code"),
        ("code", Absent, "code"),
        ("newPassword", "\"short\"", "newPassword"),
        ("newPassword", "\"1234567890\"", "newPassword"),
        ("newPassword", Absent, "newPassword"),
    ];

    private static readonly (string Field, string Value, string Key)[] InvitationFields =
    [
        ("organisationKind", "\"bank\"", "organisationKind"),
        ("organisationKind", Absent, "organisationKind"),
        ("organisationId", "\"\"", "organisationId"),
        ("organisationId", Text(37), "organisationId"),
        ("role", "\"officer\"", "role"),
        ("role", "\"boss\"", "role"),
        ("role", Absent, "role"),
        ("login", "\"nobody\"", "login"),
    ];

    private static readonly (string Field, string Value, string Key)[] InvitationAcceptFields =
    [
        ("code", "\"\"", "code"),
        ("code", Absent, "code"),
        ("code", Text(101), "code"),
    ];

    private static readonly (string Field, string Value, string Key)[] ApiClientFields =
    [
        ("name", "\"\"", "name"),
        ("name", Absent, "name"),
        ("name", Text(101), "name"),
    ];

    private static readonly (string Field, string Value, string Key)[] RegulatorOfficeFields =
    [
        ("name", "\"\"", "name"),
        ("name", Text(201), "name"),
        ("region", "\"abc\"", "region"),
        ("region", "\"3\"", "region"),
        ("region", Absent, "region"),
        ("region", "null", "region"),
        ("region", "\"339999\"", "region"),                     // no county 339999 in GB/T 2260
        ("region", "\"3399\"", "region"),
        ("region", "\"39\"", "region"),
        ("region", "\"33\\n\"", "region"),
    ];

    // A product's regions are checked against those its institution serves, as stored (ProductStore.SaveRegionsAsync).
    private static readonly (string Field, string Value, string Key)[] ProductFieldsCheckedAgainstStoredData =
    [
        ("regionCodes", "[\"3304\",\"32\"]", "regionCodes"),
    ];

    public static IEnumerable<TestCaseData> CasesCheckedAgainstStoredData() =>
        from target in new[] { Target.NewProduct, Target.ProductChange }
        from field in ProductFieldsCheckedAgainstStoredData
        select CaseOf(target, field);

    private static TestCaseData CaseOf(Target target, (string Field, string Value, string Key) field)
    {
        var shown = field.Value == Absent ? "absent" : field.Value.Length > 30 ? $"{field.Value.Length - 2} characters" : field.Value;
        return new TestCaseData(target, field.Field, field.Value, field.Key).SetArgDisplayNames(target.ToString(), $"{field.Field}: {shown}");
    }

    public static IEnumerable<TestCaseData> CasesRefusedBeforeSql()
    {
        var fieldsByTarget = new (Target Target, (string Field, string Value, string Key)[] Fields)[]
        {
            (Target.FinancingRequest, RequestFields), (Target.NewProduct, ProductFields), (Target.ProductChange, ProductFields),
            (Target.NewEnterprise, EnterpriseFields), (Target.EnterpriseUpdate, EnterpriseFields), (Target.EnterpriseChange, EnterpriseFields),
            (Target.NewInstitution, InstitutionFields),
            (Target.InstitutionChange, InstitutionFields),
            (Target.Decline, DeclineFields), (Target.Feedback, FeedbackFields), (Target.Rating, RatingFields), (Target.RegionTarget, TargetFields),
            (Target.Blacklist, BlacklistFields), (Target.SignUp, SignUpFields), (Target.SignIn, SignInFields), (Target.Refresh, RefreshFields),
            (Target.MfaConfirm, MfaConfirmFields), (Target.PasswordReset, PasswordResetFields), (Target.PasswordResetConfirm, PasswordResetConfirmFields),
            (Target.Invitation, InvitationFields), (Target.InvitationAccept, InvitationAcceptFields), (Target.ApiClient, ApiClientFields),
            (Target.RegulatorOffice, RegulatorOfficeFields), (Target.Webhook, WebhookFields),
        };
        foreach (var (target, fields) in fieldsByTarget)
        {
            foreach (var (label, raw) in BrokenBodies)
                yield return new TestCaseData(target, null, raw, Body).SetArgDisplayNames(target.ToString(), label);
            foreach (var field in fields) yield return CaseOf(target, field);
        }
    }

    protected async Task RefusedBodyAsync(Target target, string? field, string value, string key)
    {
        var (client, method, path, valid) = await EndpointAsync(target);
        var body = field is null ? value : WithField(valid, field, value);
        var before = await SnapshotAsync();

        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request).ShouldBe(HttpStatusCode.BadRequest);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.ReadJsonAsync();
        ((int)problem["status"]!).ShouldBe(400);
        var keys = problem["errors"].ShouldBeOfType<JsonObject>().Select(pair => pair.Key).ToArray();
        keys.ShouldContain(k => k == key || k.StartsWith(key + "[", StringComparison.Ordinal), problem.ToJsonString());
        (await SnapshotAsync()).ShouldBe(before);
    }

    protected async Task ValidBodiesAcceptedAsync()
    {
        // The control: each bad case differs from these in one field only.
        foreach (var target in Enum.GetValues<Target>())
        {
            var (client, method, path, valid) = await EndpointAsync(target, fresh: true);
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(valid.ToJsonString(), Encoding.UTF8, "application/json") };
            var response = await client.SendAsync(request);
            ((int)response.StatusCode).ShouldBeInRange(200, 204, $"{target}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    // (who asks, path and query, the key the errors must name); {request} is a request of the enterprise.
    private static readonly (Asker Asker, string Path, string Key)[] BadQueries =
    [
        (Asker.Regulator, "/api/v1/statistics/summary?from=2026-03-10&to=2026-03-01", "to"),
        (Asker.Regulator, "/api/v1/statistics/summary?region=abc", "region"),
        (Asker.Regulator, "/api/v1/statistics/summary?region=3", "region"),
        (Asker.Regulator, "/api/v1/statistics/summary?industry=c39", "industry"),
        (Asker.Regulator, "/api/v1/statistics/summary?industry=A99", "industry"),
        (Asker.Regulator, "/api/v1/statistics/summary?region=339999", "region"),
        (Asker.Regulator, "/api/v1/statistics/summary?from=1999-12-31", "from"),
        (Asker.Regulator, "/api/v1/statistics/summary?from=yesterday", "from"),
        (Asker.Regulator, "/api/v1/statistics/summary?to=2026-02-30", "to"),
        (Asker.Regulator, "/api/v1/statistics/summary?to=9999-12-31", "to"),
        (Asker.Regulator, "/api/v1/statistics/summary?from=2028-01-01&to=2028-02-01", "from"),
        (Asker.Regulator, "/api/v1/statistics/summary?region=3304%0A", "region"),
        (Asker.Regulator, "/api/v1/statistics/breakdown?by=month&from=2000-01-01&to=9999-12-31", "to"),
        (Asker.Enterprise, "/api/v1/products?q=%00", "q"),
        (Asker.Enterprise, "/api/v1/products?q=%E2%80%8B", "q"),
        (Asker.Enterprise, "/api/v1/products/%E2%80%8B", "id"),   // Kestrel itself refuses %00 in a path
        (Asker.Admin, "/api/v1/admin/people?q=%1B", "q"),
        (Asker.Regulator, "/api/v1/statistics/breakdown?by=weather", "by"),
        (Asker.Regulator, "/api/v1/statistics/breakdown", "by"),
        (Asker.Regulator, "/api/v1/statistics/breakdown?by=region&from=2026-03-10&to=2026-03-01", "to"),
        (Asker.Regulator, "/api/v1/statistics/breakdown?by=region&region=abc", "region"),
        (Asker.Regulator, "/api/v1/statistics/export?format=pdf", "format"),
        (Asker.Regulator, "/api/v1/statistics/export?format=csv&by=weather", "by"),
        (Asker.Regulator, "/api/v1/statistics/export?format=csv&from=2026-03-10&to=2026-03-01", "to"),
        (Asker.Regulator, "/api/v1/statistics/overdue?page=0", "page"),
        (Asker.Regulator, "/api/v1/statistics/overdue?pageSize=201", "pageSize"),
        (Asker.Regulator, "/api/v1/statistics/overdue/export?format=pdf", "format"),
        (Asker.Enterprise, "/api/v1/financing-requests/{request}/matches?limit=0", "limit"),
        (Asker.Enterprise, "/api/v1/financing-requests/{request}/matches?limit=101", "limit"),
        (Asker.Enterprise, "/api/v1/financing-requests/{request}/matches?limit=ten", "limit"),
        (Asker.Enterprise, "/api/v1/financing-requests/{request}/matches?includeNearMisses=maybe", "includeNearMisses"),
        (Asker.Institution, "/api/v1/dispatches?status=lost", "status"),
        (Asker.Institution, "/api/v1/dispatches?status=Pending", "status"),
        (Asker.Institution, "/api/v1/dispatches?pageSize=0", "pageSize"),
        (Asker.Institution, "/api/v1/dispatches?page=x", "page"),
        (Asker.Enterprise, "/api/v1/notifications?pageSize=101", "pageSize"),
        (Asker.Enterprise, "/api/v1/notifications?unreadOnly=maybe", "unreadOnly"),
        (Asker.Admin, "/api/v1/notifications?page=0", "page"),
    ];

    public static IEnumerable<TestCaseData> QueryCases() =>
        BadQueries.Select(query => new TestCaseData(query.Asker, query.Path, query.Key).SetArgDisplayNames(query.Asker.ToString(), query.Path));

    protected async Task RefusedQueryAsync(Asker asker, string path, string key)
    {
        var client = asker switch
        {
            Asker.Enterprise => EnterpriseClient(_enterprise),
            Asker.Institution => InstitutionClient(_institution),
            Asker.Regulator => RegulatorClient("33"),
            _ => Admin,
        };
        var before = await SnapshotAsync();

        var response = await client.GetAsync(path.Replace("{request}", _request)).ShouldBe(HttpStatusCode.BadRequest);

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.ReadJsonAsync();
        ((int)problem["status"]!).ShouldBe(400);
        problem["errors"].ShouldBeOfType<JsonObject>().Select(pair => pair.Key).ShouldContain(key, problem.ToJsonString());
        (await SnapshotAsync()).ShouldBe(before);
    }

    protected async Task GoodQueriesAnsweredAsync()
    {
        // The control for the bad queries: the same endpoints with good values.
        await RegulatorClient("33").GetAsync("/api/v1/statistics/summary?from=2026-03-01&to=2026-03-10&region=3304&industry=C39").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("33").GetAsync("/api/v1/statistics/breakdown?by=region&from=2026-03-01&to=2026-03-10").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("33").GetAsync("/api/v1/statistics/export?format=csv&by=month").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("33").GetAsync("/api/v1/statistics/overdue?page=1&pageSize=200").ShouldBe(HttpStatusCode.OK);
        await RegulatorClient("33").GetAsync("/api/v1/statistics/overdue/export?format=xlsx").ShouldBe(HttpStatusCode.OK);
        await EnterpriseClient(_enterprise).GetAsync($"/api/v1/financing-requests/{_request}/matches?limit=100&includeNearMisses=true").ShouldBe(HttpStatusCode.OK);
        await EnterpriseClient(_enterprise).GetAsync($"/api/v1/financing-requests/{_request}/matches?limit=1").ShouldBe(HttpStatusCode.OK);
        await InstitutionClient(_institution).GetAsync("/api/v1/dispatches?status=pending&page=1&pageSize=100").ShouldBe(HttpStatusCode.OK);
        await EnterpriseClient(_enterprise).GetAsync("/api/v1/notifications?unreadOnly=true&page=1&pageSize=100").ShouldBe(HttpStatusCode.OK);
    }

    protected async Task OverlongIdempotencyKeyRefusedAsync()
    {
        var client = EnterpriseClient(_enterprise);
        client.DefaultRequestHeaders.Add("Idempotency-Key", new string('k', 101));
        var before = await SnapshotAsync();

        var response = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["Idempotency-Key"]);
        (await SnapshotAsync()).ShouldBe(before);
    }

    protected async Task EmptyIdempotencyKeyRefusedAsync(string key)
    {
        var client = EnterpriseClient(_enterprise);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Idempotency-Key", key).ShouldBeTrue();
        var before = await SnapshotAsync();

        var response = await client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["Idempotency-Key"]);
        (await SnapshotAsync()).ShouldBe(before);
    }

    protected async Task FieldGivenTwiceRefusedAsync(Target target, string field)
    {
        var (client, method, path, valid) = await EndpointAsync(target);
        // The field once more, first: {"amount": 1000000, "amount": …, …}, as RFC 8259 §4 leaves the meaning to the parser.
        var body = $"{{{JsonSerializer.Serialize(field)}:{valid[field]?.ToJsonString() ?? "null"},{valid.ToJsonString()[1..]}";
        var before = await SnapshotAsync();

        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request).ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe([field]);
        (await SnapshotAsync()).ShouldBe(before);
    }

    public static IEnumerable<TestCaseData> FieldsGivenTwice() =>
        new[] { (Target.FinancingRequest, "amount"), (Target.NewProduct, "regionCodes"), (Target.NewEnterprise, "creditCode"), (Target.SignIn, "password"),
            (Target.Feedback, "outcome") }
            .Select(pair => new TestCaseData(pair.Item1, pair.Item2).SetArgDisplayNames(pair.Item1.ToString(), pair.Item2));

    /// <summary>Where each kind of body goes; <paramref name="fresh"/> aims answers and ratings at new resources, so that a valid body succeeds.</summary>
    private async Task<(HttpClient Client, HttpMethod Method, string Path, JsonObject Valid)> EndpointAsync(Target target, bool fresh = false) => target switch
    {
        Target.Decline => (InstitutionClient(_institution), HttpMethod.Post,
            $"/api/v1/dispatches/{(fresh ? await PendingDispatchAsync(_enterprise, _institution) : _pendingDispatch)}/decline",
            ToJson(new() { ["reasonCode"] = "capacity", ["reason"] = "授信额度已满" })),
        Target.Feedback => (InstitutionClient(_institution), HttpMethod.Post,
            $"/api/v1/dispatches/{(fresh ? await AcceptedDispatchAsync(_enterprise, _institution) : _acceptedDispatch)}/feedback", ToJson(ApprovalBody())),
        Target.Rating => (EnterpriseClient(_enterprise), HttpMethod.Post,
            $"/api/v1/financing-requests/{(fresh ? await ResolvedRequestAsync(_enterprise, _institution) : _resolvedRequest)}/rating",
            ToJson(new() { ["score"] = 5, ["comment"] = "响应很快" })),
        Target.RegionTarget => (Admin, HttpMethod.Put, "/api/v1/statistics/targets",
            ToJson(new() { ["regionCode"] = "330421", ["year"] = 2026, ["approvedAmount"] = 11_000_000_000m, ["approvedCount"] = 1050 })),
        Target.Blacklist => (Admin, HttpMethod.Post, "/api/v1/admin/blacklist",
            ToJson(new() { ["creditCode"] = NewCreditCode(), ["reason"] = "失信被执行人" })),
        Target.FinancingRequest => (EnterpriseClient(_enterprise), HttpMethod.Post, "/api/v1/financing-requests", ToJson(RequestBody())),
        Target.NewProduct => (InstitutionClient(_institution), HttpMethod.Post, "/api/v1/products", ToJson(ProductBody())),
        Target.ProductChange => (await MadeFromCurrentAsync(InstitutionClient(_institution), $"/api/v1/products/{_product}"), HttpMethod.Put,
            $"/api/v1/products/{_product}", ToJson(ProductBody())),
        Target.NewEnterprise => (EnterpriseClient(Guid.NewGuid().ToString()), HttpMethod.Post, "/api/v1/enterprises", ToJson(EnterpriseBody())),
        Target.EnterpriseUpdate => (EnterpriseClient(_enterprise), HttpMethod.Post, "/api/v1/enterprises", ToJson(_enterpriseBody)),
        Target.EnterpriseChange => (await MadeFromCurrentAsync(EnterpriseClient(_enterprise), $"/api/v1/enterprises/{_enterprise}"), HttpMethod.Put,
            $"/api/v1/enterprises/{_enterprise}", ToJson(_enterpriseBody)),
        Target.NewInstitution => (Admin, HttpMethod.Post, "/api/v1/institutions", ToJson(InstitutionBody("33"))),
        Target.InstitutionChange => (Admin, HttpMethod.Put, $"/api/v1/institutions/{_changedInstitution}", ToJson(InstitutionBody("3304"))),
        Target.SignUp => (Anonymous, HttpMethod.Post, "/api/v1/auth/sign-up",
            ToJson(new() { ["login"] = People.NewLogin("signup"), ["password"] = People.Password, ["displayName"] = "新用户" })),
        Target.SignIn => (Anonymous, HttpMethod.Post, "/api/v1/auth/sign-in",
            ToJson(new() { ["login"] = _personLogin, ["password"] = People.Password, ["totp"] = null, ["membershipId"] = null })),
        Target.Refresh => (Anonymous, HttpMethod.Post, "/api/v1/auth/refresh",
            ToJson(new() { ["refreshToken"] = fresh ? (await Host.SignInAsync(_personLogin)).RefreshToken : "not-a-refresh-token", ["membershipId"] = null })),
        Target.MfaConfirm => await MfaConfirmationAsync(fresh),
        Target.PasswordReset => (Anonymous, HttpMethod.Post, "/api/v1/auth/password-reset", ToJson(new() { ["login"] = _personLogin })),
        Target.PasswordResetConfirm => (Anonymous, HttpMethod.Post, "/api/v1/auth/password-reset/confirm",
            ToJson(new() { ["login"] = _personLogin, ["code"] = fresh ? await ResetCodeAsync() : "123456", ["newPassword"] = People.Password })),
        Target.Invitation => (Admin, HttpMethod.Post, "/api/v1/invitations",
            ToJson(new() { ["organisationKind"] = "enterprise", ["organisationId"] = _enterprise, ["role"] = "member", ["login"] = null })),
        Target.InvitationAccept => await AcceptanceAsync(fresh),
        Target.ApiClient => (_manager.Client, HttpMethod.Post, $"/api/v1/institutions/{_institution}/api-clients", ToJson(new() { ["name"] = "信贷系统" })),
        Target.RegulatorOffice => (Admin, HttpMethod.Post, "/api/v1/admin/regulator-offices", ToJson(new() { ["name"] = "嘉兴监管（测试）", ["region"] = "3304" })),
        Target.Webhook => (InstitutionClient(_institution), HttpMethod.Put, $"/api/v1/institutions/{_institution}/webhook",
            ToJson(new() { ["webhookUrl"] = "https://bank.example.com/hooks" })),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>The client, sending If-Match with the version of the record it reads at the path now: a change made from it.</summary>
    private static async Task<HttpClient> MadeFromCurrentAsync(HttpClient client, string path)
    {
        client.DefaultRequestHeaders.TryAddWithoutValidation("If-Match", await client.ETagAsync(path)).ShouldBeTrue();
        return client;
    }

    protected async Task MalformedIfMatchRefusedAsync(string ifMatch)
    {
        var before = await SnapshotAsync();

        var response = await InstitutionClient(_institution).PutJsonAsync($"/api/v1/products/{_product}", ProductBody(), ifMatch).ShouldBe(HttpStatusCode.BadRequest);

        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["If-Match"]);
        (await SnapshotAsync()).ShouldBe(before);
    }

    private static JsonObject ToJson(Dictionary<string, object?> body) => JsonSerializer.SerializeToNode(body, Json.Options)!.AsObject();

    private static string WithField(JsonObject valid, string field, string value)
    {
        valid.Remove(field);
        if (value != Absent) valid[field] = JsonNode.Parse(value);
        // JsonNode keeps a number's text as written, so 1e400 goes over the wire as 1e400.
        return valid.ToJsonString();
    }

    /// <summary>Every table's row count, the catalog version, and the rows that update attempts aim at, as stored.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var parts = new List<string>();
        foreach (var table in new[] { "enterprises", "institutions", "products", "product_regions", "financing_requests", "request_events",
                     "request_matches", "dispatches", "notifications", "webhook_deliveries", "blacklist", "region_targets",
                     "people", "memberships", "sessions", "refresh_tokens", "invitations", "recovery_codes", "password_resets", "api_clients",
                     "regulator_offices", "message_outbox", "security_events", "audit_log" })
            parts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}")}");
        parts.Add($"catalog={await connection.ExecuteScalarAsync<long>("SELECT version FROM catalog_version")}");
        parts.Add(JsonSerializer.Serialize(await connection.QueryAsync("SELECT * FROM people ORDER BY id")));
        parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM enterprises WHERE id = @Id", new { Id = _enterprise })));
        parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM products WHERE id = @Id", new { Id = _product })));
        parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM institutions WHERE id = @Id", new { Id = _changedInstitution })));
        parts.Add(string.Join(";", await connection.QueryAsync<string>("SELECT region_prefix FROM product_regions WHERE product_id = @Id ORDER BY region_prefix", new { Id = _product })));
        foreach (var dispatch in new[] { _pendingDispatch, _acceptedDispatch })
            parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM dispatches WHERE id = @Id", new { Id = dispatch })));
        foreach (var request in new[] { _request, _resolvedRequest })
            parts.Add(JsonSerializer.Serialize(await connection.QuerySingleAsync("SELECT * FROM financing_requests WHERE id = @Id", new { Id = request })));
        parts.Add(JsonSerializer.Serialize(await connection.QueryAsync("SELECT * FROM region_targets ORDER BY region_code, year")));
        parts.Add(string.Join(";", await connection.QueryAsync<string>("SELECT credit_code FROM blacklist ORDER BY credit_code")));
        return string.Join(Environment.NewLine, parts);
    }
}

/// <summary>The bad inputs refused by what is stored, and the controls that write: on every provider.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class BadInputTests(string provider) : BadInputFixture(provider)
{
    [TestCaseSource(typeof(BadInputFixture), nameof(CasesCheckedAgainstStoredData))]
    public Task Bad_input_is_a_400_problem_naming_the_field_and_leaves_the_database_as_it_was(Target target, string? field, string value, string key) =>
        RefusedBodyAsync(target, field, value, key);

    [Test]
    public Task The_valid_bodies_the_cases_start_from_are_accepted() => ValidBodiesAcceptedAsync();

    [Test]
    public Task The_queries_the_bad_ones_differ_from_are_answered() => GoodQueriesAnsweredAsync();

    [Test]
    public Task An_overlong_idempotency_key_is_refused_naming_the_header() => OverlongIdempotencyKeyRefusedAsync();
}

/// <summary>
/// The bad inputs refused before any SQL runs, by the JSON binding or a validator: provider-independent, so run on one
/// provider. Each still checks that the database is as it was.
/// </summary>
[TestFixture]
public sealed class BadInputBeforeSqlTests() : BadInputFixture(Providers.Sqlite)
{
    [TestCaseSource(typeof(BadInputFixture), nameof(CasesRefusedBeforeSql))]
    public Task Bad_input_is_a_400_problem_naming_the_field_and_leaves_the_database_as_it_was(Target target, string? field, string value, string key) =>
        RefusedBodyAsync(target, field, value, key);

    [TestCaseSource(typeof(BadInputFixture), nameof(QueryCases))]
    public Task A_bad_query_is_a_400_problem_naming_the_parameter_and_leaves_the_database_as_it_was(Asker asker, string path, string key) =>
        RefusedQueryAsync(asker, path, key);

    [TestCase("")]
    [TestCase("   ")]
    public Task An_empty_idempotency_key_is_refused_naming_the_header(string key) => EmptyIdempotencyKeyRefusedAsync(key);

    [TestCaseSource(typeof(BadInputFixture), nameof(FieldsGivenTwice))]
    public Task A_field_given_twice_is_refused_naming_it(Target target, string field) => FieldGivenTwiceRefusedAsync(target, field);

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("7")]
    [TestCase("\"7")]
    [TestCase("W/7")]
    [TestCase("\"7\" \"8\"")]
    [TestCase("*, \"7\"")]
    public Task A_malformed_If_Match_is_refused_naming_the_header(string ifMatch) => MalformedIfMatchRefusedAsync(ifMatch);
}
