using System.Data.Common;
using Dapper;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Statistics;

public sealed record RegionTarget(string RegionCode, int Year, decimal ApprovedAmount, int ApprovedCount);

/// <summary>An admin sets a region's yearly target (seeds/002 annex: 产融合作平台融资额 110/125/150 亿元, 1050/1150/1300 笔).</summary>
public sealed record SetTarget(string RegionCode, int Year, decimal ApprovedAmount, int ApprovedCount) : Mediator.ICommand<RegionTarget>
{
    public sealed class Validator : AbstractValidator<SetTarget>
    {
        public Validator(ReferenceData codes, TimeProvider clock)
        {
            RuleFor(x => x.RegionCode).RegionPrefix(codes);
            // Plans set targets a few years ahead (seed 002's annex: three years); ten years ahead is generous, beyond is a typing mistake.
            RuleFor(x => x.Year).Must(year => year >= 2000 && year <= clock.PlatformToday().Year + 10)
                .WithMessage(_ => RuleTexts.Say("TargetYear"));
            RuleFor(x => x.ApprovedAmount).GreaterThan(0).LessThanOrEqualTo(10_000_000_000_000m).PrecisionScale(18, 2, true);
            RuleFor(x => x.ApprovedCount).InclusiveBetween(1, 100_000_000);
        }
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<SetTarget, RegionTarget>
    {
        private const string UpdateSql = """
            UPDATE region_targets SET approved_amount = @ApprovedAmount, approved_count = @ApprovedCount, updated_at = @Now
            WHERE region_code = @RegionCode AND year = @Year
            """;
        private const string InsertSql = """
            INSERT INTO region_targets (region_code, year, approved_amount, approved_count, updated_at)
            VALUES (@RegionCode, @Year, @ApprovedAmount, @ApprovedCount, @Now)
            """;

        public async ValueTask<RegionTarget> Handle(SetTarget command, CancellationToken cancellationToken)
        {
            var row = new { command.RegionCode, command.Year, command.ApprovedAmount, command.ApprovedCount, Now = clock.GetUtcNow() };
            if (await unit.ExecuteAsync(UpdateSql, row) == 0) await unit.ExecuteAsync(InsertSql, row);
            unit.Record(row.Now, "target", $"{command.RegionCode}/{command.Year}", "set",
                $"{command.ApprovedAmount} yuan, {command.ApprovedCount} approvals");
            return new RegionTarget(command.RegionCode, command.Year, command.ApprovedAmount, command.ApprovedCount);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPut("/targets", async (SetTarget command, IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(command, ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("An admin sets a region's yearly target for the approved amount (撮合融资金额) and count (融资笔数); the regulator's summary shows the progress against it.")
            .WithSummary("Set a region's yearly target for approved amount and count (admin)");
}

/// <summary>Targets and the progress towards them.</summary>
public static class Targets
{
    private const string ForYearSql = """
        SELECT region_code AS RegionCode, year, approved_amount AS ApprovedAmount, approved_count AS ApprovedCount
        FROM region_targets WHERE year = @Year ORDER BY region_code
        """;

    /// <summary>Targets of the scope's year, by region code; none when the period spans several years.</summary>
    public static async Task<IReadOnlyDictionary<string, RegionTarget>> ForScopeAsync(DbConnection connection, StatisticsScope scope) =>
        scope.From.Year != scope.To.Year
            ? new Dictionary<string, RegionTarget>()
            : (await OfYearAsync(connection, scope.From.Year)).ToDictionary(target => target.RegionCode);

    /// <summary>The targets set for a year, by region code.</summary>
    public static async Task<IReadOnlyList<RegionTarget>> OfYearAsync(DbConnection connection, int year, CancellationToken cancellationToken = default) =>
        (await connection.QueryAsync<TargetRow>(new CommandDefinition(ForYearSql, new { Year = year }, cancellationToken: cancellationToken)))
            .Select(row => new RegionTarget(row.RegionCode, row.Year, row.ApprovedAmount, row.ApprovedCount)).ToArray();

    private sealed class TargetRow
    {
        public string RegionCode { get; set; } = "";
        public int Year { get; set; }
        public decimal ApprovedAmount { get; set; }
        public int ApprovedCount { get; set; }
    }

    public static TargetProgress? Progress(RegionTarget? target, FigureSums sums) => target is null ? null : new TargetProgress(
        target.RegionCode, target.Year, target.ApprovedAmount, target.ApprovedCount,
        Math.Round((double)(sums.ApprovedAmount / target.ApprovedAmount), 4), Math.Round((double)sums.ApprovedCount / target.ApprovedCount, 4));
}
