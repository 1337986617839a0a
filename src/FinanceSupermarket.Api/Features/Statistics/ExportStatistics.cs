using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The summary and, optionally, a breakdown as a file for the regulator's own reports: CSV (UTF-8 with a byte order
/// mark, so that Excel shows the Chinese headings) or an Excel workbook.
/// </summary>
public sealed record ExportStatistics(string? Format, string? By, DateOnly? From, DateOnly? To, string? Region, string? Industry)
    : IQuery<ExportFile>, IStatisticsFilter
{
    public sealed class Validator : AbstractValidator<ExportStatistics>
    {
        public Validator(ReferenceData codes, TimeProvider clock)
        {
            Include(new StatisticsFilterValidator<ExportStatistics>(codes, clock));
            RuleFor(x => x.Format).Must(format => format is null || Sheets.Formats.Contains(format)).WithMessage("Must be csv or xlsx.");
            RuleFor(x => x.By).Must(by => by is null || GetBreakdown.Groupings.Contains(by))
                .WithMessage($"Must be one of {string.Join(", ", GetBreakdown.Groupings)}.");
        }
    }

    private static readonly string[] Headings =
    [
        "分组", "名称", "申请笔数", "申请金额（元）", "发布笔数", "派单笔数", "受理笔数", "融资笔数（获批）", "撮合融资金额（元）", "申贷获得率",
        "首贷户获批数", "信用贷占比", "按时答复率", "首次答复用时中位数（小时）", "首次答复用时P90（小时）", "结果用时中位数（小时）", "平均满意度",
        "年度目标金额（元）", "目标金额完成率", "年度目标笔数", "目标笔数完成率",
    ];

    private static object?[] Cells(string group, string? name, Figures f) =>
    [
        group, name, f.RequestedCount, f.RequestedAmount, f.PublishedCount, f.DispatchedCount, f.AcceptedCount, f.ApprovedCount, f.ApprovedAmount,
        f.ApprovalRate, f.FirstLoanApprovedCount, f.CreditLoanShare, f.OnTimeAnswerRate, f.MedianHoursToFirstAnswer, f.P90HoursToFirstAnswer,
        f.MedianHoursToResult, f.AverageRating, f.Target?.ApprovedAmountTarget, f.Target?.AmountProgress, f.Target?.ApprovedCountTarget, f.Target?.CountProgress,
    ];

    public sealed class Handler(IMediator mediator, ReferenceData codes) : IQueryHandler<ExportStatistics, ExportFile>
    {
        public async ValueTask<ExportFile> Handle(ExportStatistics query, CancellationToken cancellationToken)
        {
            var summary = await mediator.Send(new GetSummary(query.From, query.To, query.Region, query.Industry), cancellationToken);
            var rows = new List<object?[]> { Cells($"合计 {summary.Region} {summary.From:yyyy-MM-dd}–{summary.To:yyyy-MM-dd}".Trim(), ScopeName(summary), summary.Figures) };
            if (query.By is { } by)
            {
                var breakdown = await mediator.Send(new GetBreakdown(by, query.From, query.To, query.Region, query.Industry), cancellationToken);
                rows.AddRange(breakdown.Groups.Select(group => Cells(group.Key.Length == 0 ? "（无）" : group.Key, group.Name, group.Figures)));
            }
            var name = $"finance-supermarket-statistics-{(query.By is { } grouping ? grouping + "-" : "")}{summary.From:yyyyMMdd}-{summary.To:yyyyMMdd}";
            return Sheets.Write(name, query.Format, Headings, rows);
        }

        /// <summary>The scope's region and industry by name (浙江省 · 制造业), or 全国 for the whole country.</summary>
        private string ScopeName(GetSummary.View summary) => string.Join(" · ", new[]
        {
            summary.Region.Length == 0 ? "全国" : codes.RegionName(summary.Region),
            summary.Industry.Length == 0 ? null : codes.IndustryName(summary.Industry),
        }.Where(name => name is not null));
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/export", async ([AsParameters] ExportStatistics query, IMediator mediator, CancellationToken ct) => Sheets.Download(await mediator.Send(query, ct)))
            .Produces<byte[]>(StatusCodes.Status200OK, Sheets.CsvType, Sheets.XlsxType)
            .WithDescription("The summary, and with `?by=` the breakdown, as a CSV or Excel file with Chinese headings and names beside codes.")
            .WithSummary("The summary (and ?by= breakdown) as CSV or Excel, with Chinese headings");
}
