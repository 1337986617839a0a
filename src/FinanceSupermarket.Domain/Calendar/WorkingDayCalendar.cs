using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FinanceSupermarket.Domain.Calendar;

/// <summary>
/// Chinese working-day calendar for the 贷款申请限时答复制 deadlines: weekends are off, the State Council's
/// statutory holidays (法定节假日) are off, and the make-up working weekends (调休上班) are on.
/// </summary>
/// <remarks>
/// <para>The schedule is data, not code: one JSON file per year (<c>Calendar/cn-YYYY.json</c>, embedded in this
/// assembly), in the form
/// <c>{"year":2026,"holidays":[{"name":"春节 Spring Festival","from":"2026-02-15","to":"2026-02-23"}],"workingWeekends":["2026-02-14"]}</c>
/// (an optional <c>"source"</c> string may cite the notice). Operators can add next year's file without a release
/// through <see cref="LoadFrom"/>.</para>
/// <para>For a year without a data file the calendar falls back to plain Monday–Friday; check
/// <see cref="HasDataFor"/> to warn about it.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class WorkingDayCalendar
{
    private const string ResourcePrefix = "FinanceSupermarket.Domain.Calendar.";
    private const string DateFormat = "yyyy-MM-dd";

    private static readonly Lazy<WorkingDayCalendar> Embedded = new(() => Load(ReadEmbeddedFiles()));

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly IReadOnlyDictionary<int, YearData> _years;
    private readonly Dictionary<DateOnly, string> _holidays = [];
    private readonly HashSet<DateOnly> _workingWeekends = [];

    private WorkingDayCalendar(IReadOnlyDictionary<int, YearData> years)
    {
        _years = years;
        foreach (var year in years.Values)
        {
            foreach (var (day, name) in year.Holidays) _holidays[day] = name;
            _workingWeekends.UnionWith(year.WorkingWeekends);
        }
        Years = [.. years.Keys.Order()];
    }

    /// <summary>The platform time zone, Asia/Shanghai (China Standard Time, UTC+8, no daylight saving time).</summary>
    public static TimeZoneInfo PlatformTimeZone { get; } = FindShanghai();

    /// <summary>The years that have a data file, ascending.</summary>
    public IReadOnlyList<int> Years { get; }

    /// <summary>The calendar of all years shipped with this assembly (a shared, cached instance).</summary>
    public static WorkingDayCalendar LoadEmbedded() => Embedded.Value;

    /// <summary>
    /// A calendar built from year files given as JSON text (named "json text #1", "#2"... in errors).
    /// A later text for the same year replaces an earlier one.
    /// </summary>
    /// <exception cref="CalendarDataException">A text is malformed.</exception>
    public static WorkingDayCalendar Load(IEnumerable<string> jsonTexts)
    {
        ArgumentNullException.ThrowIfNull(jsonTexts);
        return Load(jsonTexts.Select((json, i) => (Name: $"json text #{i + 1}", Json: json)));
    }

    /// <summary>
    /// The embedded years plus every <c>*.json</c> file directly in <paramref name="folder"/>, read in ordinal
    /// file-name order after the embedded ones; a later file for the same year replaces the earlier one (so an
    /// operator's <c>cn-2026.json</c> corrects the shipped one, and <c>cn-2027.json</c> adds a year).
    /// A null or empty <paramref name="folder"/> gives the embedded calendar.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="CalendarDataException">A file is malformed; nothing is loaded.</exception>
    public static WorkingDayCalendar LoadFrom(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) return LoadEmbedded();
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Calendar data folder '{folder}' does not exist.");

        var extra = Directory.EnumerateFiles(folder, "*.json", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .Select(path => (Name: path, Json: File.ReadAllText(path)));
        return Load(ReadEmbeddedFiles().Concat(extra));
    }

    /// <summary>
    /// This calendar with the years of the given JSON texts (named "json text #1", "#2"... in errors) added, each replacing
    /// this calendar's data for its year: how year files stored elsewhere (the platform's database) join the shipped ones.
    /// </summary>
    /// <exception cref="CalendarDataException">A text is malformed; nothing is added.</exception>
    public WorkingDayCalendar With(IEnumerable<string> jsonTexts)
    {
        ArgumentNullException.ThrowIfNull(jsonTexts);
        var years = new Dictionary<int, YearData>(_years);
        foreach (var data in jsonTexts.Select((json, i) => Parse($"json text #{i + 1}", json))) years[data.Year] = data;
        return new WorkingDayCalendar(years);
    }

    /// <summary>Whether <paramref name="year"/> has a data file (otherwise it is treated as plain Monday–Friday).</summary>
    public bool HasDataFor(int year) => _years.ContainsKey(year);

    /// <summary>
    /// Whether every year from <paramref name="fromUtc"/> to <paramref name="toUtc"/> (their <see cref="PlatformTimeZone"/>
    /// dates) has data: a deadline counted over a year without it skipped weekends only, and is provisional.
    /// </summary>
    public bool HasDataBetween(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        var (first, last) = (TimeZoneInfo.ConvertTime(fromUtc, PlatformTimeZone).Year, TimeZoneInfo.ConvertTime(toUtc, PlatformTimeZone).Year);
        for (var year = first; year <= last; year++)
            if (!HasDataFor(year)) return false;
        return true;
    }

    /// <summary>Where the data for <paramref name="year"/> came from (resource name, file path or "json text #n"), or null.</summary>
    public string? SourceFor(int year) => _years.TryGetValue(year, out var data) ? data.Source : null;

    /// <summary>
    /// A make-up working weekend (调休) is a working day; otherwise a statutory holiday or a Saturday/Sunday is
    /// not, and every other day is. Years without data: Monday–Friday.
    /// </summary>
    public bool IsWorkingDay(DateOnly day)
    {
        if (_workingWeekends.Contains(day)) return true;
        if (_holidays.ContainsKey(day)) return false;
        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>The name of the statutory holiday that <paramref name="day"/> belongs to, or null.</summary>
    public string? HolidayOn(DateOnly day) => _holidays.GetValueOrDefault(day);

    /// <summary>
    /// The <paramref name="days"/>-th working day after <paramref name="from"/> (<paramref name="from"/> itself is
    /// never counted, whether or not it is a working day). A negative count goes back: the n-th working day
    /// before <paramref name="from"/>. Zero returns <paramref name="from"/> unchanged.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly from, int days)
    {
        var step = Math.Sign(days);
        var day = from;
        for (var remaining = Math.Abs(days); remaining > 0;)
        {
            day = day.AddDays(step);
            if (IsWorkingDay(day)) remaining--;
        }
        return day;
    }

    /// <summary>
    /// The answer deadline for a request dispatched at <paramref name="fromUtc"/> with <paramref name="days"/>
    /// working days to answer, computed in <see cref="PlatformTimeZone"/> (Asia/Shanghai) and returned in UTC.
    /// </summary>
    /// <remarks>
    /// <para>The instant is first converted to Shanghai local time; its Shanghai date decides (an instant of
    /// 2026-02-13T17:00Z is Saturday 2026-02-14 01:00 in Shanghai).</para>
    /// <list type="bullet">
    /// <item>Dispatched on a working day at local time T: due at the same local time T on the
    /// <paramref name="days"/>-th following working day (Fri 2026-02-13 10:00 + 1 → Sat 2026-02-14 10:00, a
    /// 调休 working Saturday; Sat 2026-02-14 10:00 + 1 → Tue 2026-02-24 10:00, after the Spring Festival).</item>
    /// <item>Dispatched on a non-working day (weekend or holiday): the clock starts at 00:00 local of the next
    /// working day, which counts as the first day, and the request is due at the END of the
    /// <paramref name="days"/>-th working day, expressed as 00:00 local of the following calendar day (24:00);
    /// an answer before that instant is on time (Sun 2026-02-15 + 1 → 2026-02-25 00:00 Shanghai, i.e. the end of
    /// Tue 2026-02-24, = 2026-02-24T16:00Z).</item>
    /// <item>Zero days returns <paramref name="fromUtc"/> (as UTC) unchanged.</item>
    /// </list>
    /// </remarks>
    /// <param name="fromUtc">The dispatch instant; any offset is accepted, it is an instant.</param>
    /// <param name="days">Working days allowed, zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is negative.</exception>
    public DateTimeOffset AddWorkingDays(DateTimeOffset fromUtc, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        if (days == 0) return fromUtc.ToUniversalTime();

        var local = TimeZoneInfo.ConvertTime(fromUtc, PlatformTimeZone);
        var localDate = DateOnly.FromDateTime(local.DateTime);

        DateTime dueLocal;
        if (IsWorkingDay(localDate))
        {
            dueLocal = AddWorkingDays(localDate, days).ToDateTime(TimeOnly.MinValue) + local.TimeOfDay;
        }
        else
        {
            var firstWorkingDay = AddWorkingDays(localDate, 1);
            var lastWorkingDay = AddWorkingDays(firstWorkingDay, days - 1);
            dueLocal = lastWorkingDay.AddDays(1).ToDateTime(TimeOnly.MinValue);
        }

        var unspecified = DateTime.SpecifyKind(dueLocal, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, PlatformTimeZone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    /// <summary>
    /// Working days from <paramref name="from"/> to <paramref name="to"/>: for <c>from &lt;= to</c> the working
    /// days in (from, to]; for <c>to &lt; from</c> minus the working days in [to, from). The inverse of
    /// <see cref="AddWorkingDays(DateOnly, int)"/>: <c>WorkingDaysBetween(d, AddWorkingDays(d, n)) == n</c>.
    /// </summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        if (to < from) return -Count(to, from.AddDays(-1));
        return Count(from.AddDays(1), to);

        int Count(DateOnly first, DateOnly last)
        {
            var count = 0;
            for (var day = first; day <= last; day = day.AddDays(1))
                if (IsWorkingDay(day)) count++;
            return count;
        }
    }

    /// <summary>
    /// The working time from <paramref name="fromUtc"/> to <paramref name="toUtc"/>: the part of that span that falls on
    /// working days in <see cref="PlatformTimeZone"/> (a working day counts whole, 24 hours, as the deadlines count it);
    /// zero when <paramref name="toUtc"/> is not after <paramref name="fromUtc"/>.
    /// </summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        var total = TimeSpan.Zero;
        var from = TimeZoneInfo.ConvertTime(fromUtc, PlatformTimeZone).DateTime;
        var to = TimeZoneInfo.ConvertTime(toUtc, PlatformTimeZone).DateTime;
        for (var day = from.Date; day < to; day = day.AddDays(1))
        {
            if (!IsWorkingDay(DateOnly.FromDateTime(day))) continue;
            var start = day < from ? from : day;
            var end = day.AddDays(1) > to ? to : day.AddDays(1);
            if (end > start) total += end - start;
        }
        return total;
    }

    // ---- loading -------------------------------------------------------------------------------------------

    private static WorkingDayCalendar Load(IEnumerable<(string Name, string Json)> files)
    {
        var years = new Dictionary<int, YearData>();
        foreach (var (name, json) in files)
        {
            var data = Parse(name, json);
            years[data.Year] = data;
        }
        return new WorkingDayCalendar(years);
    }

    private static IEnumerable<(string Name, string Json)> ReadEmbeddedFiles()
    {
        var assembly = typeof(WorkingDayCalendar).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                                 && r.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return ($"embedded {resource[ResourcePrefix.Length..]}", reader.ReadToEnd());
        }
    }

    private static YearData Parse(string file, string json)
    {
        YearFile? dto;
        try
        {
            dto = JsonSerializer.Deserialize<YearFile>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CalendarDataException(file, null, $"not a valid calendar JSON document ({e.Message})", e);
        }
        if (dto is null) throw new CalendarDataException(file, null, "the document is empty (null).");
        if (dto.Year is not { } year) throw new CalendarDataException(file, null, "\"year\" is missing.");
        if (year is < 1 or > 9998) throw new CalendarDataException(file, null, $"\"year\" {year} is out of range.");

        var holidays = new Dictionary<DateOnly, string>();
        var holidayEntries = dto.Holidays ?? [];
        for (var i = 0; i < holidayEntries.Count; i++)
        {
            var entry = holidayEntries[i];
            if (entry is null) throw new CalendarDataException(file, $"holidays[{i}]", "the entry is null.");
            var label = $"holidays[{i}] \"{entry.Name}\"";
            if (string.IsNullOrWhiteSpace(entry.Name))
                throw new CalendarDataException(file, label, "\"name\" is missing.");
            var from = ParseDate(file, label, "from", entry.From, year);
            var to = ParseDate(file, label, "to", entry.To, year);
            if (from > to)
                throw new CalendarDataException(file, label, $"\"from\" {Format(from)} is after \"to\" {Format(to)}.");
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                if (!holidays.TryAdd(day, entry.Name))
                    throw new CalendarDataException(file, label,
                        $"{Format(day)} is already in holiday \"{holidays[day]}\" (holidays overlap).");
            }
        }

        var workingWeekends = new HashSet<DateOnly>();
        var weekendEntries = dto.WorkingWeekends ?? [];
        for (var i = 0; i < weekendEntries.Count; i++)
        {
            var label = $"workingWeekends[{i}] \"{weekendEntries[i]}\"";
            var day = ParseDate(file, label, null, weekendEntries[i], year);
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                throw new CalendarDataException(file, label,
                    $"{Format(day)} is a {day.DayOfWeek}; a working weekend must be a Saturday or a Sunday.");
            if (holidays.TryGetValue(day, out var holiday))
                throw new CalendarDataException(file, label,
                    $"{Format(day)} is also a day of holiday \"{holiday}\"; a day cannot be both.");
            if (!workingWeekends.Add(day))
                throw new CalendarDataException(file, label, $"{Format(day)} is listed twice.");
        }

        return new YearData(year, file, holidays, workingWeekends);
    }

    private static DateOnly ParseDate(string file, string entry, string? field, string? text, int year)
    {
        var what = field is null ? "the date" : $"\"{field}\"";
        if (string.IsNullOrWhiteSpace(text))
            throw new CalendarDataException(file, entry, $"{what} is missing.");
        if (!DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new CalendarDataException(file, entry, $"{what} \"{text}\" is not a date in the form {DateFormat}.");
        if (day.Year != year)
            throw new CalendarDataException(file, entry, $"{what} {Format(day)} is outside the file's year {year}.");
        return day;
    }

    private static string Format(DateOnly day) => day.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindShanghai()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8),
                "(UTC+08:00) China Standard Time", "China Standard Time");
        }
    }

    private sealed record YearData(
        int Year, string Source, IReadOnlyDictionary<DateOnly, string> Holidays, IReadOnlySet<DateOnly> WorkingWeekends);

    private sealed class YearFile
    {
        public int? Year { get; set; }
        public string? Source { get; set; }
        public List<HolidayEntry?>? Holidays { get; set; }
        public List<string?>? WorkingWeekends { get; set; }
    }

    private sealed class HolidayEntry
    {
        public string? Name { get; set; }
        public string? From { get; set; }
        public string? To { get; set; }
    }
}
