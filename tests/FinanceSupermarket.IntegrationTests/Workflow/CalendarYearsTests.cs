using System.Text.Json.Nodes;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain.Calendar;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>
/// A year without a calendar file: its deadlines are provisional (weekends only) and an admin is warned from 1 November;
/// loading the year's file (kept in the database, so every node counts with it) counts the open deadlines again.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class CalendarYearsTests(string provider) : ApiTestBase(provider)
{
    /// <summary>Thursday 31 December 2026, 09:00 in Shanghai: the shipped calendar ends today.</summary>
    protected override DateTimeOffset StartsAt => new(2026, 12, 31, 1, 0, 0, TimeSpan.Zero);

    // Test data, not the published 2027 schedule: New Year's Day alone is enough to move a deadline.
    private static readonly object Year2027 = new
    {
        year = 2027, source = "integration test",
        holidays = new[] { new { name = "元旦 New Year's Day", from = "2027-01-01", to = "2027-01-01" } }, workingWeekends = Array.Empty<string>(),
    };

    [Test]
    public async Task Deadlines_into_a_year_without_a_calendar_are_provisional_until_its_file_is_loaded_and_are_then_counted_again()
    {
        var (accepting, waiting) = (await RegisterInstitutionAsync("330421"), await RegisterInstitutionAsync("330421"));
        await ListProductAsync(accepting);
        await ListProductAsync(waiting);
        var enterprise = await RegisterEnterpriseAsync();
        var request = await SubmitRequestAsync(enterprise);
        await Host.RunDueJobsAsync();
        var accepted = await InboxItemAsync(accepting);
        await InstitutionClient(accepting).PostJsonAsync($"/api/v1/dispatches/{accepted["id"]}/accept", new { }).ShouldBe(OK);

        // Weekends only: 1 January 2027 (a Friday) counts as a working day.
        var pending = await InboxItemAsync(waiting);
        ((DateTimeOffset)pending["answerDueAt"]!).ShouldBe(Shanghai(2027, 1, 1));
        ((bool)pending["deadlineProvisional"]!).ShouldBeTrue();
        accepted = await InboxItemAsync(accepting);
        ((DateTimeOffset)accepted["feedbackDueAt"]!).ShouldBe(Shanghai(2027, 1, 5));   // 3 approval days: 1, 4, 5 January
        ((bool)accepted["deadlineProvisional"]!).ShouldBeTrue();
        (await RequestAsync(enterprise, request))["dispatches"]!.AsArray().ShouldAllBe(d => (bool)d!["deadlineProvisional"]!);
        var status = await (await Admin.GetAsync("/api/v1/admin/calendar").ShouldBe(OK)).ReadJsonAsync();
        status["warnings"]!.AsArray().Select(w => (int)w!["year"]!).ShouldBe([2027]);

        var loaded = await (await Admin.PostJsonAsync("/api/v1/admin/calendar/2027", Year2027).ShouldBe(OK)).ReadJsonAsync();

        ((int)loaded["recomputed"]!).ShouldBe(2);
        pending = await InboxItemAsync(waiting);
        ((DateTimeOffset)pending["answerDueAt"]!).ShouldBe(Shanghai(2027, 1, 4));
        ((bool)pending["deadlineProvisional"]!).ShouldBeFalse();
        accepted = await InboxItemAsync(accepting);
        ((DateTimeOffset)accepted["feedbackDueAt"]!).ShouldBe(Shanghai(2027, 1, 6));
        ((bool)accepted["deadlineProvisional"]!).ShouldBeFalse();
        var read = await RequestAsync(enterprise, request);
        read["dispatches"]!.AsArray().ShouldAllBe(d => !(bool)d!["deadlineProvisional"]!);
        read["timeline"]!.AsArray().Count(e => (string)e!["event"]! == "deadline_recomputed").ShouldBe(2);
        status = await (await Admin.GetAsync("/api/v1/admin/calendar").ShouldBe(OK)).ReadJsonAsync();
        status["warnings"]!.AsArray().ShouldBeEmpty();
        status["years"]!.AsArray().Select(y => (int)y!).ShouldContain(2027);

        // Another node on the same database counts with the loaded year from its start.
        await using var other = new ApiHost(Provider, Host.Service<Db>().ConnectionString, new FakeTimeProvider(StartsAt));
        other.Service<WorkingDayCalendar>().IsWorkingDay(new DateOnly(2027, 1, 1)).ShouldBeFalse();
    }

    [Test]
    public async Task A_file_of_another_year_or_a_malformed_one_is_refused_naming_the_field()
    {
        var otherYear = await (await Admin.PostJsonAsync("/api/v1/admin/calendar/2028", new { year = 2029, holidays = Array.Empty<object>() })
            .ShouldBe(BadRequest)).ReadJsonAsync();
        Keys(otherYear).ShouldContain("year");
        var backwards = await (await Admin.PostJsonAsync("/api/v1/admin/calendar/2028",
            new { year = 2028, holidays = new[] { new { name = "国庆节", from = "2028-10-07", to = "2028-10-01" } } }).ShouldBe(BadRequest)).ReadJsonAsync();
        Keys(backwards).ShouldContain("file");

        var status = await (await Admin.GetAsync("/api/v1/admin/calendar").ShouldBe(OK)).ReadJsonAsync();
        status["years"]!.AsArray().Select(y => (int)y!).ShouldNotContain(2028);
    }

    private static string[] Keys(JsonNode problem) =>
        problem["errors"].ShouldBeOfType<JsonObject>().Select(pair => pair.Key.ToLowerInvariant()).ToArray();

    private static DateTimeOffset Shanghai(int year, int month, int day) => new(year, month, day, 9, 0, 0, TimeSpan.FromHours(8));

    private async Task<JsonNode> InboxItemAsync(string institution) =>
        (await (await InstitutionClient(institution).GetAsync("/api/v1/dispatches").ShouldBe(OK)).ReadJsonAsync())["items"]!.AsArray().ShouldHaveSingleItem()!;

    private async Task<JsonNode> RequestAsync(string enterprise, string request) =>
        await (await EnterpriseClient(enterprise).GetAsync($"/api/v1/financing-requests/{request}").ShouldBe(OK)).ReadJsonAsync();
}
