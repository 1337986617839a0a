namespace FinanceSupermarket.Domain.Calendar;

/// <summary>
/// A working-day calendar data file (one year of the State Council holiday schedule) is malformed.
/// The message names the file and the offending entry.
/// </summary>
public sealed class CalendarDataException : Exception
{
    public CalendarDataException(string file, string? entry, string problem, Exception? inner = null)
        : base(entry is null
            ? $"Calendar data file '{file}': {problem}"
            : $"Calendar data file '{file}', entry {entry}: {problem}", inner)
    {
        File = file;
        Entry = entry;
        Problem = problem;
    }

    /// <summary>The file (path, embedded resource name or "json text #n") that failed.</summary>
    public string File { get; }

    /// <summary>The offending entry, e.g. <c>holidays[1] "春节 Spring Festival"</c>; null for whole-file problems.</summary>
    public string? Entry { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
