using Microsoft.AspNetCore.Http.HttpResults;
using MiniExcelLibs;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>A table as a file for the regulator's own reports.</summary>
public sealed record ExportFile(byte[] Content, string ContentType, string FileName);

/// <summary>
/// Writes the regulator's tables as files: CSV (UTF-8 with a byte order mark, so that Excel in Chinese shows the headings
/// instead of mojibake) or an Excel workbook, both by MiniExcel, with Chinese headings.
/// </summary>
public static class Sheets
{
    public static readonly string[] Formats = ["csv", "xlsx"];

    public const string CsvType = "text/csv";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The rows (cells in the order of <paramref name="headings"/>) as <paramref name="format"/> (csv unless xlsx), named <paramref name="name"/>.</summary>
    public static ExportFile Write(string name, string? format, IReadOnlyList<string> headings, IEnumerable<object?[]> rows)
    {
        var sheet = rows.Select(row => headings.Zip(row).ToDictionary(pair => pair.First, pair => pair.Second)).ToList();
        var xlsx = format == "xlsx";
        using var stream = new MemoryStream();
        // MiniExcel writes CSV as UTF-8 with a byte order mark.
        stream.SaveAs(sheet, sheetName: "统计", excelType: xlsx ? ExcelType.XLSX : ExcelType.CSV);
        return xlsx ? new ExportFile(stream.ToArray(), XlsxType, name + ".xlsx") : new ExportFile(stream.ToArray(), CsvType + "; charset=utf-8", name + ".csv");
    }

    /// <summary>The file as an HTTP answer (a download with its name).</summary>
    public static FileContentHttpResult Download(ExportFile file) => TypedResults.File(file.Content, file.ContentType, file.FileName);
}
