using FinanceSupermarket.Api.Infrastructure;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

/// <summary>
/// The whole 督导 list as a file (CSV or Excel), read through the list itself (<see cref="ListOverdue"/>) page by page, so
/// that the file holds exactly the dispatches the list shows; times in Asia/Shanghai, as the regulator reads them.
/// </summary>
public sealed record ExportOverdue(string? Format, DateOnly? From = null, DateOnly? To = null, string? Region = null, string? Industry = null) : IQuery<ExportFile>
{
    public sealed class Validator : AbstractValidator<ExportOverdue>
    {
        public Validator()
        {
            RuleFor(x => x.Format).Must(format => format is null || Sheets.Formats.Contains(format)).WithMessage("Must be csv or xlsx.");
        }
    }

    private static readonly string[] Headings =
    [
        "派单编号", "融资需求编号", "企业", "金融机构", "产品", "地区代码", "地区", "需求金额（元）", "逾期环节", "派单时间（北京时间）",
        "答复时限（北京时间）", "反馈时限（北京时间）", "逾期时间（北京时间）",
    ];

    private const int PageSize = 200;

    public sealed class Handler(IMediator mediator, TimeProvider clock) : IQueryHandler<ExportOverdue, ExportFile>
    {
        public async ValueTask<ExportFile> Handle(ExportOverdue query, CancellationToken cancellationToken)
        {
            var rows = new List<object?[]>();
            for (var page = 1; ; page++)
            {
                var batch = await mediator.Send(new ListOverdue(page, PageSize, query.From, query.To, query.Region, query.Industry), cancellationToken);
                rows.AddRange(batch.Items.Select(Cells));
                if (batch.Items.Count < PageSize || rows.Count >= batch.Total) break;
            }
            return Sheets.Write($"finance-supermarket-overdue-{clock.PlatformToday():yyyyMMdd}", query.Format, Headings, rows);
        }

        private static object?[] Cells(OverdueDispatch d) =>
        [
            d.Id, d.RequestId, d.EnterpriseName, d.InstitutionName, d.ProductName, d.RegionCode, d.RegionName, d.Amount,
            d.Stage == "answer" ? "答复" : "反馈", d.DispatchedAt.PlatformMinute(), d.AnswerDueAt.PlatformMinute(), d.FeedbackDueAt?.PlatformMinute(),
            d.OverdueAt.PlatformMinute(),
        ];
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/overdue/export", async ([AsParameters] ExportOverdue query, IMediator mediator, CancellationToken ct) => Sheets.Download(await mediator.Send(query, ct)))
            .Produces<byte[]>(StatusCodes.Status200OK, Sheets.CsvType, Sheets.XlsxType)
            .WithDescription("The whole 督导 list of the regulator's region (filtered as the list is) as a CSV (UTF-8 with a byte order mark) or Excel file, with Chinese headings, names beside ids and times in Asia/Shanghai.")
            .WithSummary("The overdue dispatches (督导 list) as CSV or Excel");
}
