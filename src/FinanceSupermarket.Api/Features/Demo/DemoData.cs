using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Features.Enterprises;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Institutions;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using Mediator;
using static FinanceSupermarket.Domain.GuaranteeMode;
using static FinanceSupermarket.Domain.ProductKind;

namespace FinanceSupermarket.Api.Features.Demo;

/// <summary>
/// Demo institutions, products, enterprises and requests in the seeds' four regions (嘉善 330421, 昆山 320583,
/// 青岛黄岛 370211, 江门江海 440704). Written through the same commands as the API, so they obey the same rules.
/// Names carry "(演示)": they are examples, not real offers.
/// </summary>
public static class DemoData
{
    private const string AnyInstitutionSql = "SELECT COUNT(*) FROM institutions";

    private sealed record DemoProduct(string Name, ProductKind Kind, decimal MinAmount, decimal MaxAmount, int MinTerm, int MaxTerm,
        decimal MinRate, decimal MaxRate, GuaranteeMode[] Modes, int ApprovalDays, bool FirstLoanFriendly = false,
        EnterpriseTag[]? RequiredTags = null, PolicySupport[]? Policy = null, string[]? Industries = null, int MinYears = 0,
        TaxCreditLevel? MinTaxLevel = null);

    private sealed record DemoInstitution(string Name, InstitutionKind Kind, string[] Regions, DemoProduct[] Products);

    private static readonly DemoInstitution[] Institutions =
    [
        new("嘉善农商银行（演示）", InstitutionKind.Bank, ["330421"],
        [
            new("善企信用贷", CreditLoan, 100_000, 3_000_000, 6, 36, 3.85m, 6.5m, [Credit], 3, FirstLoanFriendly: true, Policy: [PolicySupport.RiskCompensation]),
            new("首贷培植贷", FirstLoan, 100_000, 1_000_000, 6, 12, 3.6m, 5.2m, [Credit, GuaranteeMode.Guarantee], 2, FirstLoanFriendly: true, Policy: [PolicySupport.InterestSubsidy]),
            new("无还本续贷", Renewal, 500_000, 10_000_000, 12, 36, 3.9m, 5.8m, [Credit, Mortgage], 3),
        ]),
        new("浙江科创银行嘉兴分行（演示）", InstitutionKind.Bank, ["3304"],
        [
            new("科技成长贷", TechLoan, 1_000_000, 20_000_000, 12, 60, 3.45m, 5.5m, [Credit, Pledge], 5, RequiredTags: [EnterpriseTag.TechSme], Policy: [PolicySupport.InterestSubsidy]),
            new("知识产权质押贷", IpPledge, 500_000, 10_000_000, 12, 36, 3.7m, 6.0m, [Pledge], 7, Industries: ["C", "I"]),
            new("税银互动贷", TaxCredit, 100_000, 3_000_000, 6, 24, 3.95m, 6.8m, [Credit], 2, MinTaxLevel: TaxCreditLevel.B, MinYears: 2),
        ]),
        new("嘉善县融资担保公司（演示）", InstitutionKind.Guarantee, ["330421"],
        [
            new("政策性担保贷", ProductKind.Guarantee, 200_000, 5_000_000, 12, 36, 4.2m, 6.0m, [GuaranteeMode.Guarantee], 5, FirstLoanFriendly: true, Policy: [PolicySupport.GovGuarantee]),
        ]),
        new("昆山台企金融服务银行（演示）", InstitutionKind.Bank, ["320583"],
        [
            new("台资企业专享贷", CreditLoan, 500_000, 20_000_000, 12, 36, 3.8m, 5.6m, [Credit, Mortgage], 4, RequiredTags: [EnterpriseTag.TaiwanFunded]),
            new("供应链订单贷", SupplyChain, 300_000, 15_000_000, 3, 12, 4.1m, 6.5m, [Pledge, Credit], 3, Industries: ["C"]),
            new("专精特新贷", TechLoan, 1_000_000, 30_000_000, 12, 60, 3.5m, 5.0m, [Credit], 5, RequiredTags: [EnterpriseTag.Specialized]),
        ]),
        new("青岛西海岸融资租赁（演示）", InstitutionKind.Leasing, ["370211"],
        [
            new("设备融资租赁", MortgageLoan, 1_000_000, 50_000_000, 24, 60, 5.2m, 8.5m, [Mortgage], 10, Industries: ["C"]),
        ]),
        new("青岛海洋金融银行（演示）", InstitutionKind.Bank, ["3702"],
        [
            new("关税 e 贷", Receivables, 200_000, 5_000_000, 3, 12, 4.3m, 6.9m, [Credit, Pledge], 2, RequiredTags: [EnterpriseTag.ForeignTrade]),
            new("蓝色绿色贷", GreenLoan, 1_000_000, 30_000_000, 12, 60, 3.6m, 5.2m, [Credit, Mortgage], 6, RequiredTags: [EnterpriseTag.Green], Policy: [PolicySupport.InterestSubsidy]),
            new("人才贷", TalentLoan, 500_000, 10_000_000, 12, 36, 3.5m, 5.5m, [Credit], 5, RequiredTags: [EnterpriseTag.HighTech]),
        ]),
        new("江门侨乡农商银行（演示）", InstitutionKind.Bank, ["4407"],
        [
            new("政采贷", GovProcurement, 100_000, 5_000_000, 3, 12, 4.0m, 6.0m, [Credit], 3),
            new("仓单质押贷", WarehouseReceipt, 500_000, 20_000_000, 3, 12, 4.5m, 7.0m, [Pledge], 4, Industries: ["C", "F"]),
            new("小微信用快贷", CreditLoan, 50_000, 1_000_000, 3, 12, 4.35m, 8.0m, [Credit], 1, FirstLoanFriendly: true),
        ]),
        new("江海小额贷款公司（演示）", InstitutionKind.SmallLoan, ["440704"],
        [
            new("应急周转贷", CreditLoan, 50_000, 2_000_000, 1, 12, 8.0m, 15.0m, [Credit, GuaranteeMode.Guarantee], 1, FirstLoanFriendly: true),
        ]),
    ];

    private sealed record DemoEnterprise(string Body17, string Name, string Region, string Industry, EnterpriseSize Size, int Employees,
        decimal Revenue, DateOnly Established, EnterpriseTag[] Tags, TaxCreditLevel TaxLevel, bool HasLoanHistory, RequestTerms[] Requests);

    private static readonly DemoEnterprise[] Enterprises =
    [
        new("91330421MA2B7K3L1", "嘉善精密电子有限公司（演示）", "330421", "C39", EnterpriseSize.Small, 120, 68_000_000, new(2016, 5, 12),
            [EnterpriseTag.Specialized, EnterpriseTag.TechSme], TaxCreditLevel.A, true,
            [new(3_000_000, 24, FinancingPurpose.RAndD, [Credit, Pledge], 5.0m, null, "研发新一代传感器模组")]),
        new("91330421MA2C1D8P2", "嘉善木业家具厂（演示）", "330421", "C21", EnterpriseSize.Micro, 18, 4_500_000, new(2019, 9, 3),
            [], TaxCreditLevel.B, false,
            [new(500_000, 12, FinancingPurpose.WorkingCapital, [Credit], null, null, "采购原材料，首次贷款")]),
        new("91320583MA1N4R6T3", "昆山台宏机械有限公司（演示）", "320583", "C34", EnterpriseSize.Medium, 320, 240_000_000, new(2008, 3, 20),
            [EnterpriseTag.TaiwanFunded, EnterpriseTag.ForeignTrade], TaxCreditLevel.A, true,
            [new(8_000_000, 12, FinancingPurpose.Trade, [Credit, Pledge], 6.0m, null, "出口订单备货")]),
        new("91370211MA3P2W9X4", "青岛蓝海新材料有限公司（演示）", "370211", "C26", EnterpriseSize.Small, 85, 52_000_000, new(2014, 11, 8),
            [EnterpriseTag.Green, EnterpriseTag.HighTech], TaxCreditLevel.B, true, []),
        new("91440704MA4Y7H2J5", "江门江海五金制品厂（演示）", "440704", "C33", EnterpriseSize.Micro, 15, 9_000_000, new(2020, 6, 15),
            [], TaxCreditLevel.M, false, []),
    ];

    /// <summary>At start-up in Development (README's dotnet run), whatever the provider, unless Database:SeedDemoData says otherwise.</summary>
    public static async Task SeedAtStartUpAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<DatabaseOptions>().SeedDemoData ?? app.Environment.IsDevelopment())
            await SeedIfEmptyAsync(app.Services, app.Logger);
    }

    /// <summary>
    /// Seeds an empty database in one transaction: a start interrupted while seeding leaves it empty, and the next start
    /// seeds it in full. Nodes starting together seed one after the other (under the migration lock), so the second finds
    /// the first's data and writes nothing.
    /// </summary>
    public static async Task SeedIfEmptyAsync(IServiceProvider services, ILogger logger)
    {
        var db = services.GetRequiredService<Db>();
        DemoAccount[] accounts;
        using (db.Dialect.TakeMigrationLock(db.ConnectionString))
        {
            await using (var connection = await db.OpenAsync())
                if (await connection.ExecuteScalarAsync<long>(AnyInstitutionSql) > 0) return;
            await using var scope = services.CreateAsyncScope();
            accounts = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SeedDemoData());
        }

        logger.LogInformation("Seeded demo data: {Institutions} institutions, {Enterprises} enterprises, {Accounts} accounts", Institutions.Length, Enterprises.Length, accounts.Length);
        // Printed once, at the seeding: the demo's sign-ins (README lists them too).
        foreach (var account in accounts)
            logger.LogWarning("Demo account {Login} / {Password}: {Role} of {Kind} {Organisation}{Mfa}", account.Login, account.Password,
                account.Role, account.Kind, account.OrganisationId, Membership.NeedsMfa(account.Role) ? $" (TOTP secret {DemoAccounts.TotpSecret})" : "");
    }

    /// <summary>
    /// Every demo record, each through the API's own command: those commands join this one's unit of work, so the whole
    /// seeding commits once, and what they raise (the matching index's refresh, the submitted requests' publish jobs)
    /// follows that one commit.
    /// </summary>
    internal sealed record SeedDemoData : Mediator.ICommand<DemoAccount[]>
    {
        public sealed class Handler(IMediator mediator, CurrentUser user) : ICommandHandler<SeedDemoData, DemoAccount[]>
        {
            public async ValueTask<DemoAccount[]> Handle(SeedDemoData command, CancellationToken cancellationToken)
            {
                var institutionIds = new List<string>();
                foreach (var institution in Institutions)
                {
                    user.Impersonate(Role.Admin);
                    var profile = new InstitutionProfile(institution.Name, institution.Kind, institution.Regions, null, null);
                    var institutionId = (await mediator.Send(new RegisterInstitution(profile), cancellationToken)).Id;
                    institutionIds.Add(institutionId);
                    user.Impersonate(Role.Institution, institutionId: institutionId);
                    foreach (var p in institution.Products)
                        await mediator.Send(new ListProduct(new ProductTerms(p.Name, p.Kind, p.MinAmount, p.MaxAmount, p.MinTerm, p.MaxTerm, p.MinRate, p.MaxRate,
                            p.Modes, null, p.Industries, null, p.RequiredTags, p.MinYears, p.MinTaxLevel, p.FirstLoanFriendly, p.Policy, p.ApprovalDays, null)), cancellationToken);
                }

                var enterpriseIds = new List<string>();
                foreach (var e in Enterprises)
                {
                    var enterpriseId = Guid.CreateVersion7().ToString();
                    enterpriseIds.Add(enterpriseId);
                    user.Impersonate(Role.Enterprise, enterpriseId: enterpriseId);
                    await mediator.Send(new RegisterEnterprise(CreditCode.WithCheckCharacter(e.Body17), e.Name, e.Region, e.Industry, e.Size, e.Employees,
                        e.Revenue, e.Established, e.Tags, e.TaxLevel, e.HasLoanHistory), cancellationToken);
                    foreach (var request in e.Requests) await mediator.Send(new SubmitRequest(request, IdempotencyKey: null), cancellationToken);
                }
                user.Impersonate(Role.Admin);
                var office = (await mediator.Send(new CreateRegulatorOffice("浙江省地方金融监督管理局（演示）", "33"), cancellationToken)).Id;
                DemoAccount[] accounts =
                [
                    new("admin@demo.local", "Demo-Admin-2026", "平台管理员（演示）", MembershipKind.Platform, Memberships.PlatformOrganisation, MembershipRole.Admin),
                    new("analyst@demo.local", "Demo-Analyst-2026", "监管分析员（演示）", MembershipKind.Regulator, office, MembershipRole.Analyst),
                    new("manager@demo.local", "Demo-Manager-2026", "嘉善农商银行 信贷部经理（演示）", MembershipKind.Institution, institutionIds[0], MembershipRole.Manager),
                    new("officer@demo.local", "Demo-Officer-2026", "嘉善农商银行 客户经理（演示）", MembershipKind.Institution, institutionIds[0], MembershipRole.Officer),
                    new("owner@demo.local", "Demo-Owner-2026", "嘉善精密电子 财务经理（演示）", MembershipKind.Enterprise, enterpriseIds[0], MembershipRole.Owner),
                ];
                foreach (var account in accounts) await mediator.Send(new DemoAccounts.SeedDemoAccount(account), cancellationToken);
                return accounts;
            }
        }
    }
}
