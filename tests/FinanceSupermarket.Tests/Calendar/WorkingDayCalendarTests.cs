using FinanceSupermarket.Domain.Calendar;

namespace FinanceSupermarket.Tests.Calendar;

public class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Cn = WorkingDayCalendar.LoadEmbedded();

    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Shanghai(string isoLocal) =>
        DateTimeOffset.Parse(isoLocal + "+08:00", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Utc(string iso) =>
        DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    private static string YearFile(int year, string holidays = "[]", string workingWeekends = "[]") =>
        $$"""{"year":{{year}},"holidays":{{holidays}},"workingWeekends":{{workingWeekends}}}""";

    // ---- shipped data ---------------------------------------------------------------------------------------

    [Test]
    public void The_embedded_calendar_ships_2025_and_2026()
    {
        Cn.HasDataFor(2025).ShouldBeTrue();
        Cn.HasDataFor(2026).ShouldBeTrue();
        Cn.Years.ShouldBe([2025, 2026]);
        Cn.SourceFor(2026).ShouldNotBeNull().ShouldContain("cn-2026.json");
    }

    // ---- an ordinary week -----------------------------------------------------------------------------------

    [Test]
    public void Monday_to_Friday_of_an_ordinary_week_are_working_days()
    {
        for (var day = D("2026-03-09"); day <= D("2026-03-13"); day = day.AddDays(1))
            Cn.IsWorkingDay(day).ShouldBeTrue(day.ToString("O"));
    }

    [Test]
    public void An_ordinary_Saturday_and_Sunday_are_not_working_days()
    {
        Cn.IsWorkingDay(D("2026-03-14")).ShouldBeFalse();
        Cn.IsWorkingDay(D("2026-03-15")).ShouldBeFalse();
    }

    [Test]
    public void Adding_working_days_within_an_ordinary_week_moves_by_calendar_days()
    {
        Cn.AddWorkingDays(D("2026-03-09"), 1).ShouldBe(D("2026-03-10"));
        Cn.AddWorkingDays(D("2026-03-09"), 4).ShouldBe(D("2026-03-13"));
    }

    [Test]
    public void Adding_working_days_skips_the_weekend()
    {
        Cn.AddWorkingDays(D("2026-03-13"), 1).ShouldBe(D("2026-03-16"));
        Cn.AddWorkingDays(D("2026-03-11"), 5).ShouldBe(D("2026-03-18"));
    }

    [Test]
    public void Counting_from_a_weekend_day_the_first_working_day_is_the_next_Monday()
    {
        Cn.AddWorkingDays(D("2026-03-14"), 1).ShouldBe(D("2026-03-16"));
        Cn.AddWorkingDays(D("2026-03-15"), 1).ShouldBe(D("2026-03-16"));
    }

    [Test]
    public void Adding_zero_working_days_returns_the_same_date()
    {
        Cn.AddWorkingDays(D("2026-03-14"), 0).ShouldBe(D("2026-03-14"));
    }

    [Test]
    public void Adding_negative_working_days_goes_back_to_earlier_working_days()
    {
        Cn.AddWorkingDays(D("2026-03-16"), -1).ShouldBe(D("2026-03-13"));
        Cn.AddWorkingDays(D("2026-02-24"), -1).ShouldBe(D("2026-02-14"));
    }

    [Test]
    public void A_dispatch_on_a_working_day_is_due_at_the_same_local_time_N_working_days_later()
    {
        var due = Cn.AddWorkingDays(Shanghai("2026-03-12T15:30:00"), 3);

        due.ShouldBe(Shanghai("2026-03-17T15:30:00"));
        due.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Test]
    public void A_dispatch_on_a_weekend_is_due_at_the_end_of_the_Nth_working_day_from_Monday()
    {
        // Saturday 2026-03-14 → Monday 16 is day 1, Tuesday 17 day 2 → due at 24:00 on Tuesday.
        Cn.AddWorkingDays(Shanghai("2026-03-14T10:00:00"), 2).ShouldBe(Shanghai("2026-03-18T00:00:00"));
    }

    [Test]
    public void A_dispatch_on_a_weekend_whose_last_working_day_is_a_Friday_is_due_at_midnight_after_that_Friday()
    {
        Cn.AddWorkingDays(Shanghai("2026-03-15T23:00:00"), 5).ShouldBe(Shanghai("2026-03-21T00:00:00"));
    }

    [Test]
    public void Zero_working_days_means_the_deadline_is_the_dispatch_instant()
    {
        var dispatched = Shanghai("2026-03-14T10:00:00");
        Cn.AddWorkingDays(dispatched, 0).ShouldBe(dispatched);
    }

    [Test]
    public void A_negative_number_of_working_days_for_a_deadline_is_rejected()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Cn.AddWorkingDays(Shanghai("2026-03-12T10:00:00"), -1));
    }

    // ---- 2026 Spring Festival -------------------------------------------------------------------------------

    [Test]
    public void The_2026_Spring_Festival_days_February_15_to_23_are_not_working_days()
    {
        for (var day = D("2026-02-15"); day <= D("2026-02-23"); day = day.AddDays(1))
        {
            Cn.IsWorkingDay(day).ShouldBeFalse(day.ToString("O"));
            Cn.HolidayOn(day).ShouldNotBeNull().ShouldContain("春节");
        }
    }

    [Test]
    public void The_make_up_Saturdays_February_14_and_28_2026_are_working_days()
    {
        Cn.IsWorkingDay(D("2026-02-14")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2026-02-28")).ShouldBeTrue();
        Cn.HolidayOn(D("2026-02-14")).ShouldBeNull();
    }

    [Test]
    public void A_dispatch_on_Friday_February_13_2026_with_one_working_day_is_due_on_the_make_up_Saturday()
    {
        Cn.AddWorkingDays(D("2026-02-13"), 1).ShouldBe(D("2026-02-14"));
        Cn.AddWorkingDays(Shanghai("2026-02-13T16:00:00"), 1).ShouldBe(Shanghai("2026-02-14T16:00:00"));
    }

    [Test]
    public void A_dispatch_on_the_make_up_Saturday_with_one_working_day_is_due_on_the_first_day_after_the_holiday()
    {
        Cn.AddWorkingDays(D("2026-02-14"), 1).ShouldBe(D("2026-02-24"));
        Cn.AddWorkingDays(Shanghai("2026-02-14T10:00:00"), 1).ShouldBe(Shanghai("2026-02-24T10:00:00"));
    }

    [Test]
    public void A_dispatch_during_the_Spring_Festival_is_due_at_the_end_of_the_first_working_day_after_it()
    {
        var due = Cn.AddWorkingDays(Shanghai("2026-02-18T09:00:00"), 1);

        due.ShouldBe(Shanghai("2026-02-25T00:00:00"));
        due.ShouldBe(new DateTimeOffset(2026, 2, 24, 16, 0, 0, TimeSpan.Zero));
    }

    [Test]
    public void Five_working_days_from_the_Friday_before_the_2026_Spring_Festival_end_on_Friday_February_27()
    {
        // Sat 14 (make-up), Tue 24, Wed 25, Thu 26, Fri 27.
        Cn.AddWorkingDays(D("2026-02-13"), 5).ShouldBe(D("2026-02-27"));
        Cn.AddWorkingDays(D("2026-02-13"), 6).ShouldBe(D("2026-02-28"));
    }

    // ---- 2025 National Day ----------------------------------------------------------------------------------

    [Test]
    public void In_the_2025_National_Day_week_Sunday_September_28_is_a_working_day()
    {
        Cn.IsWorkingDay(D("2025-09-28")).ShouldBeTrue();
    }

    [Test]
    public void The_2025_National_Day_and_Mid_Autumn_days_October_1_to_8_are_not_working_days()
    {
        for (var day = D("2025-10-01"); day <= D("2025-10-08"); day = day.AddDays(1))
            Cn.IsWorkingDay(day).ShouldBeFalse(day.ToString("O"));
    }

    [Test]
    public void After_the_2025_National_Day_holiday_October_9_and_make_up_Saturday_October_11_are_working_days()
    {
        Cn.IsWorkingDay(D("2025-10-09")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2025-10-10")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2025-10-11")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2025-10-12")).ShouldBeFalse();
    }

    [Test]
    public void Working_days_counted_across_the_2025_National_Day_holiday_skip_it()
    {
        // Fri 26, Sun 28 (make-up), Mon 29, Tue 30, then Thu Oct 9.
        Cn.AddWorkingDays(D("2025-09-26"), 1).ShouldBe(D("2025-09-28"));
        Cn.AddWorkingDays(D("2025-09-30"), 1).ShouldBe(D("2025-10-09"));
        Cn.AddWorkingDays(D("2025-09-30"), 3).ShouldBe(D("2025-10-11"));
    }

    // ---- 2026 National Day ----------------------------------------------------------------------------------

    [Test]
    public void The_2026_National_Day_days_October_1_to_7_are_not_working_days_and_October_8_is()
    {
        for (var day = D("2026-10-01"); day <= D("2026-10-07"); day = day.AddDays(1))
            Cn.IsWorkingDay(day).ShouldBeFalse(day.ToString("O"));
        Cn.IsWorkingDay(D("2026-10-08")).ShouldBeTrue();
    }

    [Test]
    public void The_2026_National_Day_make_up_days_September_20_and_October_10_are_working_days()
    {
        Cn.IsWorkingDay(D("2026-09-20")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2026-10-10")).ShouldBeTrue();
    }

    [Test]
    public void The_2026_Mid_Autumn_Festival_is_a_separate_holiday_from_September_25_to_27()
    {
        Cn.IsWorkingDay(D("2026-09-24")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2026-09-25")).ShouldBeFalse();
        Cn.HolidayOn(D("2026-09-25")).ShouldNotBeNull().ShouldContain("中秋");
        Cn.IsWorkingDay(D("2026-09-28")).ShouldBeTrue();
    }

    [Test]
    public void A_dispatch_on_September_30_2026_with_two_working_days_is_due_on_Friday_October_9()
    {
        Cn.AddWorkingDays(Shanghai("2026-09-30T11:00:00"), 2).ShouldBe(Shanghai("2026-10-09T11:00:00"));
    }

    // ---- other 2026 holidays --------------------------------------------------------------------------------

    [Test]
    public void The_2026_New_Year_make_up_Sunday_January_4_is_a_working_day_after_January_1_to_3_off()
    {
        Cn.IsWorkingDay(D("2026-01-01")).ShouldBeFalse();
        Cn.IsWorkingDay(D("2026-01-02")).ShouldBeFalse();
        Cn.IsWorkingDay(D("2026-01-03")).ShouldBeFalse();
        Cn.IsWorkingDay(D("2026-01-04")).ShouldBeTrue();
    }

    [Test]
    public void The_2026_Labour_Day_holiday_is_May_1_to_5_with_make_up_Saturday_May_9()
    {
        Cn.IsWorkingDay(D("2026-05-05")).ShouldBeFalse();
        Cn.IsWorkingDay(D("2026-05-06")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2026-05-09")).ShouldBeTrue();
    }

    // ---- time zone ------------------------------------------------------------------------------------------

    [Test]
    public void The_platform_time_zone_is_UTC_plus_8()
    {
        WorkingDayCalendar.PlatformTimeZone.GetUtcOffset(new DateTime(2026, 7, 1)).ShouldBe(TimeSpan.FromHours(8));
    }

    [Test]
    public void A_UTC_instant_that_is_already_the_next_day_in_Shanghai_counts_from_the_Shanghai_date()
    {
        // Thu 2025-03-06 18:00 UTC is Fri 2025-03-07 02:00 in Shanghai: one working day later is Monday.
        var due = Cn.AddWorkingDays(Utc("2025-03-06T18:00:00"), 1);

        due.ShouldBe(Utc("2025-03-09T18:00:00"));
        due.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Test]
    public void A_UTC_instant_on_Friday_that_is_the_make_up_Saturday_in_Shanghai_is_due_after_the_Spring_Festival()
    {
        // Fri 2026-02-13 17:00 UTC = Sat 2026-02-14 01:00 Shanghai (working) → Tue 2026-02-24 01:00 Shanghai.
        Cn.AddWorkingDays(Utc("2026-02-13T17:00:00"), 1).ShouldBe(Utc("2026-02-23T17:00:00"));
    }

    [Test]
    public void A_UTC_instant_on_a_working_Friday_that_is_a_holiday_in_Shanghai_counts_from_the_next_working_day()
    {
        // Fri 2026-01-02 20:00 UTC = Sat 2026-01-03 04:00 Shanghai (holiday) → day 1 is Sun Jan 4 (make-up)
        // → due at the end of Jan 4 = 2026-01-05 00:00 Shanghai = 2026-01-04 16:00 UTC.
        Cn.AddWorkingDays(Utc("2026-01-02T20:00:00"), 1).ShouldBe(Utc("2026-01-04T16:00:00"));
    }

    [Test]
    public void An_instant_given_with_another_offset_is_treated_as_the_same_instant()
    {
        var inNewYork = DateTimeOffset.Parse("2025-03-06T13:00:00-05:00", System.Globalization.CultureInfo.InvariantCulture);
        Cn.AddWorkingDays(inNewYork, 1).ShouldBe(Utc("2025-03-09T18:00:00"));
    }

    // ---- statistics -----------------------------------------------------------------------------------------

    [Test]
    public void Working_days_between_two_dates_is_the_inverse_of_adding_working_days()
    {
        Cn.WorkingDaysBetween(D("2026-02-13"), D("2026-02-27")).ShouldBe(5);
        Cn.WorkingDaysBetween(D("2026-02-27"), D("2026-02-13")).ShouldBe(-5);
        Cn.WorkingDaysBetween(D("2026-03-09"), D("2026-03-09")).ShouldBe(0);
        foreach (var start in new[] { D("2025-09-27"), D("2026-02-14"), D("2026-02-15"), D("2026-03-15") })
        foreach (var n in new[] { -7, -1, 1, 3, 10 })
            Cn.WorkingDaysBetween(start, Cn.AddWorkingDays(start, n)).ShouldBe(n, $"{start:O} {n}");
    }

    [Test]
    public void Working_time_between_two_instants_counts_only_the_hours_of_working_days()
    {
        // Fri 2026-02-13 10:00 to its deadline one working day on, Sat 2026-02-14 10:00 (a 调休 working Saturday): 24 hours.
        Cn.WorkingTimeBetween(Shanghai("2026-02-13T10:00:00"), Shanghai("2026-02-14T10:00:00")).ShouldBe(TimeSpan.FromHours(24));
        // Sat 2026-02-14 22:00 over the Spring Festival to Tue 2026-02-24 06:00: 2 hours of the Saturday, 6 of the Tuesday.
        Cn.WorkingTimeBetween(Shanghai("2026-02-14T22:00:00"), Shanghai("2026-02-24T06:00:00")).ShouldBe(TimeSpan.FromHours(8));
        Cn.WorkingTimeBetween(Shanghai("2026-03-09T10:00:00"), Shanghai("2026-03-09T09:00:00")).ShouldBe(TimeSpan.Zero);
    }

    // ---- years without data ---------------------------------------------------------------------------------

    [Test]
    public void A_year_without_a_data_file_falls_back_to_Monday_to_Friday()
    {
        Cn.HasDataFor(2031).ShouldBeFalse();
        // 2031-01-01 is a Wednesday: New Year's Day is not known, so it counts as a working day.
        Cn.IsWorkingDay(D("2031-01-01")).ShouldBeTrue();
        Cn.IsWorkingDay(D("2031-01-04")).ShouldBeFalse();
        Cn.AddWorkingDays(D("2031-01-03"), 1).ShouldBe(D("2031-01-06"));
    }

    // ---- loading --------------------------------------------------------------------------------------------

    [Test]
    public void Loading_texts_adds_a_year_and_a_later_text_for_the_same_year_replaces_the_earlier()
    {
        var calendar = WorkingDayCalendar.Load([
            YearFile(2027, """[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}]"""),
            YearFile(2027, """[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}]""", """["2027-01-09"]"""),
        ]);

        calendar.HasDataFor(2027).ShouldBeTrue();
        calendar.HasDataFor(2026).ShouldBeFalse();
        calendar.IsWorkingDay(D("2027-01-01")).ShouldBeFalse();
        calendar.IsWorkingDay(D("2027-01-03")).ShouldBeFalse();
        calendar.IsWorkingDay(D("2027-01-09")).ShouldBeTrue();
        calendar.SourceFor(2027).ShouldBe("json text #2");
    }

    [Test]
    public void Loading_from_a_folder_keeps_the_embedded_years_adds_new_ones_and_replaces_shipped_ones()
    {
        var folder = Directory.CreateTempSubdirectory("calendar-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "cn-2027.json"),
                YearFile(2027, """[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}]"""));
            // An operator's corrected 2025 without the National Day holiday.
            File.WriteAllText(Path.Combine(folder, "cn-2025.json"), YearFile(2025));
            File.WriteAllText(Path.Combine(folder, "readme.txt"), "not a calendar");

            var calendar = WorkingDayCalendar.LoadFrom(folder);

            calendar.Years.ShouldBe([2025, 2026, 2027]);
            calendar.IsWorkingDay(D("2027-01-01")).ShouldBeFalse();
            calendar.IsWorkingDay(D("2025-10-08")).ShouldBeTrue();
            calendar.IsWorkingDay(D("2026-02-16")).ShouldBeFalse();
            calendar.SourceFor(2025).ShouldBe(Path.Combine(folder, "cn-2025.json"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Loading_from_no_folder_gives_the_embedded_calendar()
    {
        WorkingDayCalendar.LoadFrom(null).Years.ShouldBe([2025, 2026]);
        WorkingDayCalendar.LoadFrom("").Years.ShouldBe([2025, 2026]);
    }

    [Test]
    public void Loading_from_a_missing_folder_fails()
    {
        Should.Throw<DirectoryNotFoundException>(() =>
            WorkingDayCalendar.LoadFrom(Path.Combine(Path.GetTempPath(), "no-such-calendar-" + Guid.NewGuid())));
    }

    [Test]
    public void A_malformed_file_in_the_folder_is_reported_with_its_path_and_entry()
    {
        var folder = Directory.CreateTempSubdirectory("calendar-test-").FullName;
        try
        {
            var path = Path.Combine(folder, "cn-2027.json");
            File.WriteAllText(path, YearFile(2027, workingWeekends: """["2027-01-04"]"""));

            var error = Should.Throw<CalendarDataException>(() => WorkingDayCalendar.LoadFrom(folder));

            error.File.ShouldBe(path);
            error.Entry.ShouldNotBeNull().ShouldContain("2027-01-04");
            error.Message.ShouldContain(path);
            error.Message.ShouldContain("workingWeekends[0]");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // ---- validation -----------------------------------------------------------------------------------------

    private static CalendarDataException LoadFails(string json) =>
        Should.Throw<CalendarDataException>(() => WorkingDayCalendar.Load([json]));

    [Test]
    public void A_holiday_date_outside_the_file_year_is_rejected()
    {
        var error = LoadFails(YearFile(2027, """[{"name":"元旦","from":"2026-12-31","to":"2027-01-01"}]"""));

        error.File.ShouldBe("json text #1");
        error.Entry.ShouldBe("holidays[0] \"元旦\"");
        error.Message.ShouldContain("outside the file's year 2027");
    }

    [Test]
    public void A_working_weekend_outside_the_file_year_is_rejected()
    {
        LoadFails(YearFile(2027, workingWeekends: """["2026-12-26"]""")).Message.ShouldContain("outside the file's year");
    }

    [Test]
    public void A_holiday_ending_before_it_starts_is_rejected()
    {
        var error = LoadFails(YearFile(2027, """[{"name":"劳动节","from":"2027-05-05","to":"2027-05-01"}]"""));

        error.Entry.ShouldBe("holidays[0] \"劳动节\"");
        error.Message.ShouldContain("is after");
    }

    [Test]
    public void A_working_weekend_on_a_weekday_is_rejected()
    {
        // 2027-01-04 is a Monday.
        var error = LoadFails(YearFile(2027, workingWeekends: """["2027-01-09","2027-01-04"]"""));

        error.Entry.ShouldBe("workingWeekends[1] \"2027-01-04\"");
        error.Message.ShouldContain("Monday");
    }

    [Test]
    public void A_day_that_is_both_a_holiday_and_a_working_weekend_is_rejected()
    {
        var error = LoadFails(YearFile(2027,
            """[{"name":"春节","from":"2027-02-06","to":"2027-02-12"}]""", """["2027-02-06"]"""));

        error.Entry.ShouldBe("workingWeekends[0] \"2027-02-06\"");
        error.Message.ShouldContain("春节");
    }

    [Test]
    public void Overlapping_holidays_are_rejected()
    {
        var error = LoadFails(YearFile(2027,
            """[{"name":"中秋","from":"2027-09-15","to":"2027-09-17"},{"name":"国庆","from":"2027-09-17","to":"2027-09-20"}]"""));

        error.Entry.ShouldBe("holidays[1] \"国庆\"");
        error.Message.ShouldContain("overlap");
    }

    [Test]
    public void A_date_not_in_iso_form_is_rejected()
    {
        var error = LoadFails(YearFile(2027, """[{"name":"元旦","from":"2027/01/01","to":"2027-01-01"}]"""));

        error.Message.ShouldContain("\"2027/01/01\" is not a date in the form yyyy-MM-dd");
    }

    [Test]
    public void A_holiday_without_a_name_is_rejected()
    {
        LoadFails(YearFile(2027, """[{"from":"2027-01-01","to":"2027-01-01"}]""")).Message.ShouldContain("\"name\" is missing");
    }

    [Test]
    public void A_file_without_a_year_is_rejected()
    {
        LoadFails("""{"holidays":[],"workingWeekends":[]}""").Message.ShouldContain("\"year\" is missing");
    }

    [Test]
    public void A_misspelt_property_is_rejected_rather_than_ignored()
    {
        LoadFails("""{"year":2027,"holidays":[],"workingWeekend":["2027-01-09"]}""").File.ShouldBe("json text #1");
    }

    [Test]
    public void Text_that_is_not_json_is_rejected_naming_the_text()
    {
        var error = LoadFails("year: 2027");

        error.Entry.ShouldBeNull();
        error.Message.ShouldStartWith("Calendar data file 'json text #1'");
    }

    // ---- years added later ----------------------------------------------------------------------------------

    [Test]
    public void A_year_added_to_a_calendar_counts_its_holidays_and_replaces_nothing_else()
    {
        var with2027 = Cn.With([YearFile(2027, holidays: "[{\"name\":\"元旦\",\"from\":\"2027-01-01\",\"to\":\"2027-01-01\"}]")]);

        Cn.IsWorkingDay(D("2027-01-01")).ShouldBeTrue();
        with2027.IsWorkingDay(D("2027-01-01")).ShouldBeFalse();
        with2027.Years.ShouldBe([2025, 2026, 2027]);
        with2027.HolidayOn(D("2026-10-01")).ShouldBe(Cn.HolidayOn(D("2026-10-01")));
        Should.Throw<CalendarDataException>(() => Cn.With(["{\"year\":2027,\"holidays\":[{}]}"]));
    }

    [Test]
    public void A_span_reaching_into_a_year_without_data_is_not_covered()
    {
        Cn.HasDataBetween(Shanghai("2026-12-30T09:00:00"), Shanghai("2026-12-31T23:59:00")).ShouldBeTrue();
        // 2027-01-01 00:30 in Shanghai is still 2026 in UTC: the platform's own date decides.
        Cn.HasDataBetween(Shanghai("2026-12-31T09:00:00"), Shanghai("2027-01-01T00:30:00")).ShouldBeFalse();
        Cn.With([YearFile(2027)]).HasDataBetween(Shanghai("2026-12-31T09:00:00"), Shanghai("2027-01-04T09:00:00")).ShouldBeTrue();
    }

    [Test]
    public void The_shipped_data_files_pass_validation()
    {
        Should.NotThrow(() => WorkingDayCalendar.Load(
            new[] { "cn-2025.json", "cn-2026.json" }.Select(ReadEmbedded)));
    }

    private static string ReadEmbedded(string file)
    {
        var assembly = typeof(WorkingDayCalendar).Assembly;
        using var stream = assembly.GetManifestResourceStream("FinanceSupermarket.Domain.Calendar." + file).ShouldNotBeNull();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
