namespace FinanceSupermarket.Domain.Reference;

/// <summary>A reference data file (code list or size rules) is malformed; the message names the file and the line or entry.</summary>
public sealed class ReferenceDataException(string file, string problem, Exception? inner = null)
    : Exception($"Reference data file '{file}': {problem}", inner)
{
    public string File { get; } = file;
}
