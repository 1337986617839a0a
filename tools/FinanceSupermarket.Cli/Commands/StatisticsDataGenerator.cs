using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>What to generate: requests spread over the Asia/Shanghai days from..to, which is also "now" for their states.</summary>
public sealed record StatisticsDataSpec(int Requests, int Enterprises, int Institutions, DateOnly From, DateOnly To, int Seed, int BatchSize = 20_000)
{
    public static StatisticsDataSpec For(int requests, int? enterprises = null, int? institutions = null, DateOnly? from = null, DateOnly? to = null, int seed = 2025) =>
        new(requests, enterprises ?? Math.Clamp(requests / 20, 50, 50_000), institutions ?? Math.Clamp(requests / 50, 20, 200),
            from ?? new DateOnly(2025, 1, 1), to ?? new DateOnly(2026, 12, 31), seed);
}

public readonly record struct GenerationProgress(string Phase, long Done, long Total);

public sealed record GenerationResult(
    int Institutions, int Products, int Enterprises, int Requests, int Dispatches, IReadOnlyDictionary<string, int> RequestStatuses, TimeSpan Elapsed);

/// <summary>
/// Fills a migrated database with a realistic platform history for load and statistics benchmarks: institutions of the
/// four seed provinces (浙江 33, 江苏 32, 山东 37, 广东 44) and national banks, their products, enterprises, and financing
/// requests with their dispatches, each request walked through the workflow's states (published, dispatched to 1–3
/// institutions with a one-working-day answer deadline, accepted / declined / overdue, approved / rejected, expired,
/// cancelled, rated) and carrying the statistics columns exactly as the workflow would have written them
/// (Features/Statistics/RequestFigures.cs). Rows are bulk-loaded: binary COPY on PostgreSQL (whose statistics
/// roll-up is rebuilt from the rows at the end), batched inserts in one transaction per batch on SQLite.
/// Not written: request timelines (request_events), published rankings (request_matches), notifications.
/// </summary>
public static class StatisticsDataGenerator
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public static async Task<GenerationResult> GenerateAsync(DatabaseProvider provider, string connectionString, StatisticsDataSpec spec,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (spec.Requests < 1 || spec.Enterprises < 1 || spec.Institutions < 4 || spec.To < spec.From)
            throw new ArgumentException("Give at least one request and enterprise, four institutions, and a period whose end is not before its start.");

        await using var sink = await Sink.OpenAsync(provider, connectionString, cancellationToken);
        var watch = Stopwatch.StartNew();
        var random = new Random(spec.Seed);
        var world = World.Create(random, spec);

        // Institutions, products and the regions they are offered in; the catalog version moves on so that API nodes reload.
        progress?.Report(new("Institutions and products", 0, world.Institutions.Count));
        await sink.InTransactionAsync(async () =>
        {
            var version = await sink.NextCatalogVersionAsync();
            await sink.CopyAsync(Tables.Institutions, world.Institutions.Select(i => i.Row(world.Now)));
            await sink.CopyAsync(Tables.Products, world.Products.Select(p => p.Row(version, world.Now)));
            await sink.CopyAsync(Tables.ProductRegions, world.Products.SelectMany(p => p.Institution.RegionCodes.Select(code => new object?[] { p.Id, code })));
        }, cancellationToken);
        progress?.Report(new("Institutions and products", world.Institutions.Count, world.Institutions.Count));

        var enterprises = world.CreateEnterprises(random, spec.Enterprises);
        for (var start = 0; start < enterprises.Length; start += spec.BatchSize)
        {
            var batch = enterprises.Skip(start).Take(spec.BatchSize);
            await sink.InTransactionAsync(() => sink.CopyAsync(Tables.Enterprises, batch.Select(e => e.Row(world.Now))), cancellationToken);
            progress?.Report(new("Enterprises", Math.Min(start + spec.BatchSize, enterprises.Length), enterprises.Length));
        }

        // Requests day by day, so that each batch touches a few weeks only. The lives of the next batch are simulated on
        // another thread while the database takes this one: the two cores work at once.
        await sink.BeginRequestsAsync();
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var batches = Channel.CreateBounded<(List<object?[]> Requests, List<object?[]> Dispatches)>(2);
        var simulation = Task.Run(async () =>
        {
            try
            {
                var requests = new List<object?[]>(spec.BatchSize + 2_000);
                var dispatches = new List<object?[]>(spec.BatchSize * 3);
                foreach (var (day, count) in world.RequestsPerDay(spec.Requests))
                {
                    for (var i = 0; i < count; i++)
                    {
                        var request = RequestLife.Simulate(random, world, enterprises[world.PickEnterprise(random, enterprises.Length)], day);
                        requests.Add(request.Row);
                        dispatches.AddRange(request.Dispatches);
                        statuses[request.Status] = statuses.GetValueOrDefault(request.Status) + 1;
                    }
                    if (requests.Count < spec.BatchSize && day < spec.To) continue;
                    await batches.Writer.WriteAsync((requests, dispatches), cancellationToken);
                    requests = new List<object?[]>(spec.BatchSize + 2_000);
                    dispatches = new List<object?[]>(spec.BatchSize * 3);
                }
                batches.Writer.Complete();
            }
            catch (Exception exception)
            {
                batches.Writer.Complete(exception);
            }
        }, cancellationToken);
        var dispatchCount = 0;
        var written = 0;
        await foreach (var (requests, dispatches) in batches.Reader.ReadAllAsync(cancellationToken))
        {
            await sink.InTransactionAsync(async () =>
            {
                await sink.CopyAsync(Tables.Requests, requests);
                await sink.CopyAsync(Tables.Dispatches, dispatches);
            }, cancellationToken);
            written += requests.Count;
            dispatchCount += dispatches.Count;
            progress?.Report(new("Requests and dispatches", written, spec.Requests));
        }
        await simulation;
        await sink.EndRequestsAsync();
        await sink.AnalyzeAsync();
        return new GenerationResult(world.Institutions.Count, world.Products.Count, enterprises.Length, written, dispatchCount, statuses, watch.Elapsed);
    }

    // ------------------------------------------------------------------ the world: regions, industries, institutions, products

    private sealed record Region(string Code, string Name, double Weight)
    {
        public string Province => Code[..2];
    }

    private static readonly Dictionary<string, string> Provinces = new() { ["33"] = "浙江", ["32"] = "江苏", ["37"] = "山东", ["44"] = "广东" };

    private static readonly Region[] Regions =
    [
        new("330421", "嘉善", 14), new("330402", "南湖", 4), new("330411", "秀洲", 4), new("330424", "海盐", 3), new("330481", "海宁", 4),
        new("330482", "平湖", 3), new("330483", "桐乡", 3), new("330106", "西湖", 3), new("330110", "余杭", 3), new("330212", "鄞州", 3),
        new("320583", "昆山", 10), new("320506", "吴中", 3), new("320505", "虎丘", 3), new("320582", "张家港", 3), new("320585", "太仓", 3),
        new("320115", "江宁", 3), new("320214", "新吴", 2), new("320411", "新北", 2),
        new("370211", "黄岛", 9), new("370202", "市南", 2), new("370212", "崂山", 2), new("370214", "城阳", 3), new("370281", "胶州", 3),
        new("370102", "历下", 2), new("370602", "芝罘", 2), new("370705", "奎文", 2),
        new("440704", "江海", 8), new("440703", "蓬江", 3), new("440705", "新会", 3), new("440781", "台山", 2), new("440305", "南山", 3),
        new("440306", "宝安", 3), new("440106", "天河", 2), new("440604", "禅城", 2),
    ];

    /// <summary>GB/T 4754 divisions where SMEs ask for credit, manufacturing first.</summary>
    private static readonly (string Code, double Weight)[] Industries =
    [
        ("C13", 2), ("C14", 1), ("C17", 4), ("C18", 3), ("C19", 1), ("C20", 1), ("C21", 2), ("C22", 1), ("C23", 1), ("C24", 1), ("C26", 3),
        ("C27", 2), ("C29", 3), ("C30", 1), ("C31", 1), ("C32", 1), ("C33", 4), ("C34", 5), ("C35", 4), ("C36", 3), ("C38", 5), ("C39", 6),
        ("C40", 2), ("C41", 1), ("A01", 2), ("A03", 1), ("E47", 1), ("E48", 2), ("F51", 6), ("F52", 4), ("G54", 2), ("G58", 1), ("H62", 2),
        ("I63", 1), ("I64", 1), ("I65", 4), ("L72", 2), ("M73", 2), ("M75", 2), ("O80", 1), ("R86", 1),
    ];

    private sealed record Institution(string Id, string Name, string Kind, string[] RegionCodes, double Weight)
    {
        public object?[] Row(DateTimeOffset now) => [Id, Name, Kind, string.Join(',', RegionCodes), null, null, now];
    }

    private sealed record Product(string Id, Institution Institution, string Name, string Kind, string GuaranteeModes, decimal MinAmount,
        decimal MaxAmount, decimal MinRate, decimal MaxRate, int ApprovalDays, bool FirstLoanFriendly)
    {
        /// <summary>信用贷: a credit-loan product, or one that takes no security (RequestFigures.ApprovedAsync).</summary>
        public bool Credit => Kind == "credit_loan" || GuaranteeModes == "credit";

        public object?[] Row(long catalogVersion, DateTimeOffset now) =>
        [
            Id, Institution.Id, Name, Kind, MinAmount, MaxAmount, 3, 36, MinRate, MaxRate, GuaranteeModes, "", "", "micro,small,medium", "",
            FirstLoanFriendly ? 0 : 1, null, FirstLoanFriendly, Kind is "first_loan" or "tech_loan" ? "interest_subsidy" : "", ApprovalDays,
            $"{Name}：面向小微企业的{Kind}产品。", "listed", catalogVersion, now, now,
        ];
    }

    private sealed record Enterprise(string Id, string CreditCode, string Name, Region Region, string IndustryCode, string Size, int Employees,
        decimal AnnualRevenue, DateOnly EstablishedOn, string Tags, string TaxCreditLevel, bool HasLoanHistory)
    {
        public object?[] Row(DateTimeOffset now) =>
            [Id, CreditCode, Name, Region.Code, IndustryCode, Size, Employees, AnnualRevenue, EstablishedOn, Tags, TaxCreditLevel, HasLoanHistory, now, now];
    }

    private sealed class World
    {
        public required StatisticsDataSpec Spec { get; init; }
        public required List<Institution> Institutions { get; init; }
        public required List<Product> Products { get; init; }
        public required Dictionary<string, (Institution Institution, Product[] Products)[]> ByProvince { get; init; }
        public required double[] RegionWeights { get; init; }
        public required double[] IndustryWeights { get; init; }

        /// <summary>The moment the history ends: the end of the last day, in Shanghai. Everything later has not happened.</summary>
        public DateTimeOffset Now => new DateTimeOffset(Spec.To.ToDateTime(TimeOnly.MaxValue), Shanghai).ToUniversalTime();

        public static World Create(Random random, StatisticsDataSpec spec)
        {
            string[] bankKinds = ["credit_loan", "mortgage_loan", "ip_pledge", "receivables", "supply_chain", "gov_procurement", "tax_credit",
                                  "tech_loan", "talent_loan", "green_loan", "first_loan", "renewal", "warehouse_receipt"];
            string[] nationalBanks = ["工商银行", "农业银行", "中国银行", "建设银行", "交通银行", "邮储银行", "招商银行", "兴业银行", "浦发银行", "中信银行",
                                      "民生银行", "光大银行", "华夏银行", "平安银行", "广发银行", "浙商银行"];
            string[] localKinds = ["bank", "bank", "bank", "bank", "guarantee", "small_loan", "leasing", "insurance", "fund"];
            string[] localBankNames = ["农商银行", "城商银行", "村镇银行"];
            var institutions = new List<Institution>();
            var national = Math.Min(nationalBanks.Length, Math.Max(1, spec.Institutions / 8));
            for (var i = 0; i < national; i++)
                institutions.Add(new(Id(), nationalBanks[i], "bank", [.. Provinces.Keys], 3 - 2.0 * i / national));
            var provinces = Provinces.Keys.ToArray();
            for (var i = 0; institutions.Count < spec.Institutions; i++)
            {
                var province = provinces[i % provinces.Length];
                var city = Regions.Where(r => r.Province == province).ElementAt(i / provinces.Length % Regions.Count(r => r.Province == province));
                var kind = localKinds[random.Next(localKinds.Length)];
                var name = kind switch
                {
                    "bank" => $"{city.Name}{localBankNames[i % localBankNames.Length]}",
                    "guarantee" => $"{city.Name}融资担保有限公司",
                    "small_loan" => $"{city.Name}小额贷款有限公司",
                    "leasing" => $"{Provinces[province]}融资租赁有限公司",
                    "insurance" => $"{Provinces[province]}科技保险有限公司",
                    _ => $"{Provinces[province]}产业投资基金",
                };
                // A county bank serves its city (4 digits), the others their province.
                string[] served = kind == "bank" && i % 3 == 2 ? [city.Code[..4]] : [province];
                institutions.Add(new(Id(), $"{name}（{i + 1:000}）", kind, served, kind == "bank" ? 1.5 : 0.6));
            }

            var products = new List<Product>();
            foreach (var institution in institutions)
            {
                string[] kinds = institution.Kind switch
                {
                    "bank" => bankKinds.OrderBy(_ => random.Next()).Take(random.Next(3, 7)).ToArray(),
                    "guarantee" => ["guarantee"],
                    "insurance" => ["insurance"],
                    "small_loan" => ["credit_loan", "first_loan"],
                    "leasing" => ["mortgage_loan"],
                    _ => ["tech_loan"],
                };
                foreach (var kind in kinds)
                {
                    var modes = kind switch
                    {
                        "credit_loan" or "tax_credit" or "talent_loan" or "first_loan" or "tech_loan" or "gov_procurement" or "insurance" => "credit",
                        "mortgage_loan" => "mortgage",
                        "ip_pledge" or "receivables" or "warehouse_receipt" => "pledge",
                        "supply_chain" => "credit,pledge",
                        "green_loan" => "credit,mortgage",
                        "renewal" => "credit,mortgage,guarantee",
                        _ => "guarantee",
                    };
                    var minRate = Math.Round(3.1m + (decimal)random.NextDouble() * 1.5m, 2);
                    products.Add(new(Id(), institution, $"{institution.Name[..Math.Min(6, institution.Name.Length)]}·{ProductNames.GetValueOrDefault(kind, kind)}",
                        kind, modes, 100_000m, random.Next(5) switch { 0 => 1_000_000m, 1 => 3_000_000m, 2 => 5_000_000m, 3 => 10_000_000m, _ => 30_000_000m },
                        minRate, minRate + Math.Round(1m + (decimal)random.NextDouble() * 2m, 2), random.Next(3, 16), kind is "first_loan" or "credit_loan" || random.Next(3) == 0));
                }
            }

            var byProvince = Provinces.Keys.ToDictionary(p => p, p => institutions
                .Where(i => i.RegionCodes.Any(code => code.StartsWith(p, StringComparison.Ordinal) || p.StartsWith(code, StringComparison.Ordinal)))
                .Select(i => (i, products.Where(x => x.Institution == i).ToArray()))
                .Where(x => x.Item2.Length > 0)
                .ToArray());
            return new World
            {
                Spec = spec, Institutions = institutions, Products = products, ByProvince = byProvince,
                RegionWeights = Cumulative(Regions.Select(r => r.Weight)), IndustryWeights = Cumulative(Industries.Select(i => i.Weight)),
            };
        }

        private static readonly Dictionary<string, string> ProductNames = new()
        {
            ["credit_loan"] = "信用贷", ["mortgage_loan"] = "抵押贷", ["ip_pledge"] = "知识产权质押贷", ["receivables"] = "应收账款贷",
            ["supply_chain"] = "供应链贷", ["gov_procurement"] = "政采贷", ["tax_credit"] = "税银贷", ["tech_loan"] = "科技贷", ["talent_loan"] = "人才贷",
            ["green_loan"] = "绿色贷", ["first_loan"] = "首贷", ["renewal"] = "无还本续贷", ["warehouse_receipt"] = "仓单质押贷",
            ["guarantee"] = "融资担保", ["insurance"] = "贷款保证保险",
        };

        public Enterprise[] CreateEnterprises(Random random, int count)
        {
            const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
            string[] sizes = ["micro", "micro", "micro", "small", "small", "medium"];
            string[] tags = ["specialized", "high_tech", "tech_sme", "taiwan_funded", "foreign_trade", "green"];
            string[] levels = ["A", "A", "B", "B", "B", "M", "C"];
            string[] suffixes = ["科技有限公司", "机械制造有限公司", "纺织有限公司", "电子有限公司", "贸易有限公司", "新材料有限公司", "食品有限公司", "智能装备有限公司"];
            var codes = new HashSet<string>(count);
            var enterprises = new Enterprise[count];
            for (var i = 0; i < count; i++)
            {
                var region = Regions[Pick(random, RegionWeights)];
                var division = Industries[Pick(random, IndustryWeights)].Code;
                var industry = random.Next(10) < 3 ? division + random.Next(1, 10).ToString(CultureInfo.InvariantCulture) : division;
                string code;
                do code = CreditCode.WithCheckCharacter("91" + region.Code + new string(Enumerable.Range(0, 9).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
                while (!codes.Add(code));
                var size = sizes[random.Next(sizes.Length)];
                var employees = size switch { "micro" => random.Next(3, 20), "small" => random.Next(20, 300), _ => random.Next(300, 1000) };
                var revenue = size switch { "micro" => random.Next(50, 300), "small" => random.Next(300, 5000), _ => random.Next(5000, 40000) } * 10_000m;
                var enterpriseTags = string.Join(',', tags.Where(_ => random.Next(8) == 0));
                enterprises[i] = new Enterprise(Id(), code, $"{region.Name}{Syllables(random)}{suffixes[random.Next(suffixes.Length)]}", region, industry, size,
                    employees, revenue, new DateOnly(2000, 1, 1).AddDays(random.Next(9_000)), enterpriseTags, levels[random.Next(levels.Length)],
                    random.Next(100) >= 28);   // about 28 % 首贷户 (no loan yet)
            }
            return enterprises;
        }

        private static string Syllables(Random random)
        {
            const string characters = "华盛鑫泰恒瑞博远宏达嘉禾信诚新锐兴隆永安天成明德金源海润昌盛";
            return new string([characters[random.Next(characters.Length)], characters[random.Next(characters.Length)]]);
        }

        /// <summary>Some enterprises ask far more often than others.</summary>
        public int PickEnterprise(Random random, int count) => (int)(Math.Pow(random.NextDouble(), 1.6) * count);

        /// <summary>
        /// Requests per day: working days far busier than weekends, a quiet Spring Festival, and a platform that grows
        /// (twice as many requests at the end of the period as at its start). The counts add up to <paramref name="total"/>.
        /// </summary>
        public IEnumerable<(DateOnly Day, int Count)> RequestsPerDay(int total)
        {
            var days = Enumerable.Range(0, Spec.To.DayNumber - Spec.From.DayNumber + 1).Select(Spec.From.AddDays).ToArray();
            var weights = days.Select((day, index) =>
                (1 + (double)index / days.Length)
                * (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.15 : 1)
                * (day.Month == 2 && day.Day <= 12 || day.Month == 1 && day.Day >= 26 ? 0.3 : 1)
                * (day.Month == 10 && day.Day <= 7 ? 0.3 : 1)).ToArray();
            var sum = weights.Sum();
            var assigned = 0;
            var cumulative = 0.0;
            for (var i = 0; i < days.Length; i++)
            {
                cumulative += weights[i];
                var upTo = i == days.Length - 1 ? total : (int)Math.Round(total * cumulative / sum);
                yield return (days[i], upTo - assigned);
                assigned = upTo;
            }
        }
    }

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        var total = 0.0;
        return weights.Select(weight => total += weight).ToArray();
    }

    private static int Pick(Random random, double[] cumulative)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }

    private static string Id() => Guid.CreateVersion7().ToString();

    private static string Id(DateTimeOffset at) => Guid.CreateVersion7(at).ToString();

    // ------------------------------------------------------------------ one request's life

    private sealed class Dispatch
    {
        public required string Id { get; init; }
        public required Institution Institution { get; init; }
        public required Product Product { get; init; }
        public required int Rank { get; init; }
        public required DateTimeOffset DispatchedAt { get; init; }
        public required DateTimeOffset AnswerDueAt { get; init; }
        public string Status { get; set; } = "pending";
        public DateTimeOffset UpdatedAt { get; set; }
        public DateTimeOffset? AnsweredAt { get; set; }
        public string? DeclineReason { get; set; }
        public DateTimeOffset? FeedbackDueAt { get; set; }
        public string? Outcome { get; set; }
        public decimal? ApprovedAmount { get; set; }
        public decimal? ApprovedRate { get; set; }
        public int? ApprovedTermMonths { get; set; }
        public string? RejectReason { get; set; }
        public DateTimeOffset? FeedbackAt { get; set; }
        public DateTimeOffset? OverdueAt { get; set; }

        public object?[] Row(string requestId) =>
        [
            Id, requestId, Institution.Id, Product.Id, Rank, Status, DispatchedAt, AnswerDueAt, AnsweredAt, AnsweredAt is null ? null : true,
            DeclineReason, FeedbackDueAt, Outcome, ApprovedAmount, ApprovedRate, ApprovedTermMonths, RejectReason, FeedbackAt, OverdueAt, UpdatedAt,
        ];
    }

    private sealed class RequestLife
    {
        public string Status { get; private set; } = "submitted";
        public object?[] Row { get; private set; } = [];
        public List<object?[]> Dispatches { get; } = [];

        private static readonly string[] Purposes = ["working_capital", "working_capital", "working_capital", "equipment", "r_and_d", "trade", "expansion", "refinancing"];
        private static readonly string[] Modes = ["credit", "credit", "credit,guarantee", "mortgage", "credit,pledge", "pledge", "credit,mortgage"];
        private static readonly string[] DeclineReasons = ["额度已满", "不符合准入条件", "行业授信政策收紧", "超出服务区域"];
        private static readonly string[] RejectReasons = ["经营流水不足", "抵押物不足", "征信记录有瑕疵", "负债率偏高"];
        private static readonly string[] CancelReasons = ["已通过其他渠道解决", "资金需求取消", "更改融资方案"];
        private static readonly string[] DisputeReasons = ["放款金额与批复不符", "利率高于约定", "实际未放款"];
        private static readonly string[] Comments = ["对接及时，服务专业", "放款很快", "流程清晰", "利率偏高", "等待时间较长", ""];

        public static RequestLife Simulate(Random random, World world, Enterprise enterprise, DateOnly day)
        {
            var life = new RequestLife();
            var now = world.Now;
            // Submitted mostly in office hours, Shanghai time.
            var minute = random.Next(10) < 8 ? random.Next(8 * 60 + 30, 18 * 60) : random.Next(0, 24 * 60);
            var submittedAt = new DateTimeOffset(day.ToDateTime(new TimeOnly(minute / 60, minute % 60, random.Next(60))), Shanghai).ToUniversalTime();
            var id = Id(submittedAt);
            var amount = Amount(random, enterprise.Size);
            var term = new[] { 6, 12, 12, 12, 24, 36 }[random.Next(6)];

            DateTimeOffset? publishedAt = null, dispatchedAt = null, resolvedAt = null, acceptedAt = null, ratedAt = null;
            decimal? hoursToFirstAnswer = null, hoursToResult = null, approvedAmount = null, approvedRate = null, disputedAmount = null;
            string? resultStatus = null, disputeReason = null;
            DateTimeOffset? disputedAt = null;
            bool? approvedCredit = null;
            string? approvedInstitution = null, approvedKind = null, statusReason = null, ratingComment = null;
            int? rating = null;
            var answersDue = 0;
            var answersOnTime = 0;
            var updatedAt = submittedAt;
            var status = "submitted";
            DateTimeOffset? cancelAt = random.Next(100) < 3 ? submittedAt + TimeSpan.FromHours(random.NextDouble() * 96) : null;

            var publishAt = submittedAt + TimeSpan.FromSeconds(random.Next(100) == 0 ? random.Next(60, 3_600) : random.Next(1, 30));
            if (cancelAt < publishAt) publishAt = DateTimeOffset.MaxValue;
            if (publishAt <= now)
            {
                publishedAt = updatedAt = publishAt;
                status = "published";
                var candidates = world.ByProvince[enterprise.Region.Province]
                    .Where(c => c.Institution.RegionCodes.Any(code => enterprise.Region.Code.StartsWith(code, StringComparison.Ordinal)))
                    .ToArray();
                // 1–3 institutions in the ranking; about 4 % of needs match no listed product at all.
                var ranked = random.Next(100) < 4 ? 0 : Math.Min(candidates.Length, random.Next(10) switch { < 3 => 1, < 7 => 2, _ => 3 });
                var at = publishAt + TimeSpan.FromSeconds(random.Next(1, 20));
                if (ranked == 0 && at <= now)
                {
                    status = "expired";
                    statusReason = "No listed product matches this request. / 暂无匹配的金融产品。";
                    resolvedAt = updatedAt = at;
                    hoursToResult = Hours(submittedAt, at);
                }
                else if (ranked > 0 && at <= now && !(cancelAt < at))
                {
                    dispatchedAt = updatedAt = at;
                    status = "dispatched";
                    var due = AddWorkingDays(at, 1);
                    var chosen = candidates.OrderBy(c => -c.Institution.Weight * random.NextDouble()).Take(ranked).ToArray();
                    var dispatches = chosen.Select((c, rank) => new Dispatch
                    {
                        Id = Id(at), Institution = c.Institution, Product = c.Products[random.Next(c.Products.Length)], Rank = rank + 1,
                        DispatchedAt = at, AnswerDueAt = due, UpdatedAt = at,
                    }).ToList();

                    // The institutions' plans: answer in time (accept or decline) or let the deadline pass; then approve or reject.
                    var events = new List<(DateTimeOffset At, Dispatch Dispatch, string What)>();
                    foreach (var dispatch in dispatches)
                    {
                        if (random.Next(100) < 7)
                        {
                            events.Add((due, dispatch, "overdue"));
                            continue;
                        }
                        var delay = TimeSpan.FromHours(Math.Min(LogNormal(random, median: 3.5, spread: 1.0), (due - at).TotalHours * 0.98));
                        events.Add((at + delay, dispatch, random.Next(100) < 72 ? "accept" : "decline"));
                    }

                    while (events.Count > 0 && status == "dispatched")
                    {
                        var next = events.MinBy(e => e.At);
                        events.Remove(next);
                        if (cancelAt is { } cancel && cancel < next.At && cancel <= now)
                        {
                            status = "cancelled";
                            statusReason = random.Next(2) == 0 ? CancelReasons[random.Next(CancelReasons.Length)] : null;
                            updatedAt = cancel;
                            foreach (var open in dispatches.Where(d => d.Status is "pending" or "accepted"))
                            {
                                open.Status = "closed";
                                open.UpdatedAt = cancel;
                            }
                            break;
                        }
                        if (next.At > now) break;
                        var (time, d, what) = next;
                        updatedAt = time;
                        switch (what)
                        {
                            case "overdue":
                                d.Status = "overdue";
                                d.OverdueAt = d.UpdatedAt = time;
                                answersDue++;
                                break;
                            case "accept" or "decline":
                                d.AnsweredAt = d.UpdatedAt = time;
                                answersDue++;
                                answersOnTime++;
                                hoursToFirstAnswer ??= Hours(submittedAt, time);
                                if (what == "decline")
                                {
                                    d.Status = "declined";
                                    d.DeclineReason = DeclineReasons[random.Next(DeclineReasons.Length)];
                                    break;
                                }
                                d.Status = "accepted";
                                acceptedAt ??= time;
                                d.FeedbackDueAt = AddWorkingDays(time, Math.Min(d.Product.ApprovalDays, 10));
                                var feedbackAt = time + TimeSpan.FromHours(4 + random.NextDouble() * ((d.FeedbackDueAt.Value - time).TotalHours - 4) * 0.9);
                                var outcome = random.Next(100) switch { < 74 => "approved", < 95 => "rejected", _ => "withdrawn" };
                                events.Add((feedbackAt, d, outcome));
                                break;
                            default:   // the final feedback
                                d.Status = "closed";
                                d.Outcome = what;
                                d.FeedbackAt = d.UpdatedAt = time;
                                if (what != "approved")
                                {
                                    d.RejectReason = RejectReasons[random.Next(RejectReasons.Length)];
                                    break;
                                }
                                d.ApprovedAmount = Math.Max(10_000m, Math.Round(amount * (decimal)(0.5 + random.NextDouble() * 0.5) / 10_000m) * 10_000m);
                                d.ApprovedRate = Math.Round(d.Product.MinRate + (decimal)random.NextDouble() * (d.Product.MaxRate - d.Product.MinRate), 2);
                                d.ApprovedTermMonths = term;
                                status = "resolved";
                                resolvedAt = time;
                                approvedAmount = d.ApprovedAmount;
                                approvedRate = d.ApprovedRate;
                                resultStatus = "posted";
                                approvedCredit = d.Product.Credit;
                                approvedInstitution = d.Institution.Id;
                                approvedKind = d.Product.Kind;
                                hoursToResult = Hours(submittedAt, time);
                                foreach (var other in dispatches.Where(o => o != d && o.Status is "pending" or "accepted"))
                                {
                                    other.Status = "superseded";
                                    other.UpdatedAt = time;
                                }
                                break;
                        }
                        // Nothing open any more, and the ranking exhausted: the request expires, saying why.
                        if (status == "dispatched" && dispatches.All(o => o.Status is not ("pending" or "accepted")))
                        {
                            status = "expired";
                            statusReason = $"All {dispatches.Count} institutions in the ranking declined, rejected or did not answer in time. / 排名内的 {dispatches.Count} 家机构均已拒绝或超时未答复。";
                            resolvedAt = time;
                            hoursToResult = Hours(submittedAt, time);
                        }
                    }
                    life.Dispatches.AddRange(dispatches.Select(d => d.Row(id)));
                }
            }
            if (status is "submitted" or "published" && cancelAt is { } cancelled && cancelled <= now)
            {
                status = "cancelled";
                updatedAt = cancelled;
            }

            // 满意度: about half of the approved and a fifth of the expired rate the service.
            if (resolvedAt is { } end && (status == "resolved" ? random.Next(100) < 50 : random.Next(100) < 20))
            {
                var at = end + TimeSpan.FromHours(1 + random.NextDouble() * 120);
                if (at <= now)
                {
                    rating = status == "resolved" ? new[] { 3, 4, 4, 5, 5, 5 }[random.Next(6)] : new[] { 1, 2, 2, 3, 3, 4 }[random.Next(6)];
                    ratingComment = Comments[random.Next(Comments.Length)] is { Length: > 0 } comment ? comment : null;
                    ratedAt = at;
                }
            }

            // The enterprise's word on a posted approval: most confirm within days, about 2 % dispute it (counted apart until settled).
            if (resultStatus == "posted" && resolvedAt is { } posted)
            {
                var answeredAt = posted + TimeSpan.FromHours(1 + random.NextDouble() * 72);
                var word = random.Next(100);
                if (answeredAt <= now && word < 2)
                {
                    (resultStatus, disputeReason, disputedAt) = ("disputed", DisputeReasons[random.Next(DisputeReasons.Length)], answeredAt);
                    (disputedAmount, approvedAmount) = (approvedAmount, null);
                }
                else if (answeredAt <= now && word < 72)
                    resultStatus = "confirmed";
            }

            life.Status = status;
            life.Row =
            [
                id, enterprise.Id, enterprise.Region.Code, enterprise.IndustryCode, amount, term, Purposes[random.Next(Purposes.Length)],
                Modes[random.Next(Modes.Length)], random.Next(3) == 0 ? Math.Round(4m + (decimal)random.NextDouble() * 3m, 2) : null,
                random.Next(2) == 0 ? day.AddDays(random.Next(15, 120)) : null, "补充流动资金，用于原材料采购和订单生产。", status, statusReason,
                submittedAt, updatedAt, publishedAt, dispatchedAt, resolvedAt, rating, ratingComment, ratedAt,
                day, day.ToString("yyyy-MM", CultureInfo.InvariantCulture), !enterprise.HasLoanHistory, acceptedAt, hoursToFirstAnswer, hoursToResult,
                answersDue, answersOnTime, approvedAmount, approvedCredit, approvedInstitution, approvedKind,
                resultStatus, disputeReason, disputedAt, disputedAmount, approvedRate,
            ];
            return life;
        }

        private static decimal Amount(Random random, string size)
        {
            var median = size switch { "micro" => 500_000.0, "small" => 2_000_000.0, _ => 8_000_000.0 };
            return Math.Clamp(Math.Round((decimal)LogNormal(random, median, 0.8) / 10_000m) * 10_000m, 50_000m, 50_000_000m);
        }

        private static double LogNormal(Random random, double median, double spread)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            return median * Math.Exp(spread * normal);
        }

        /// <summary>As RequestFigures: hours with three decimals.</summary>
        private static decimal Hours(DateTimeOffset from, DateTimeOffset to) => Math.Round((decimal)(to - from).TotalHours, 3);

        /// <summary>Working days counted Monday to Friday in Shanghai (the API's calendar also knows holidays; close enough here).</summary>
        private static DateTimeOffset AddWorkingDays(DateTimeOffset utc, int days)
        {
            var local = utc.ToOffset(Shanghai);
            while (days > 0)
            {
                local = local.AddDays(1);
                if (local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days--;
            }
            return local.ToUniversalTime();
        }
    }

    // ------------------------------------------------------------------ tables and bulk loading

    private sealed record Table(string Name, (string Column, NpgsqlDbType Type)[] Columns);

    private static class Tables
    {
        private const NpgsqlDbType Text = NpgsqlDbType.Varchar, Money = NpgsqlDbType.Numeric, Int = NpgsqlDbType.Integer, Bool = NpgsqlDbType.Boolean,
            Time = NpgsqlDbType.TimestampTz, Day = NpgsqlDbType.Date, Long = NpgsqlDbType.Bigint;

        public static readonly Table Institutions = new("institutions",
            [("id", Text), ("name", Text), ("kind", Text), ("region_codes", Text), ("webhook_url", Text), ("webhook_secret", Text), ("created_at", Time)]);

        public static readonly Table Products = new("products",
        [
            ("id", Text), ("institution_id", Text), ("name", Text), ("kind", Text), ("min_amount", Money), ("max_amount", Money),
            ("min_term_months", Int), ("max_term_months", Int), ("min_rate", Money), ("max_rate", Money), ("guarantee_modes", Text),
            ("region_codes", Text), ("industry_codes", Text), ("enterprise_sizes", Text), ("required_tags", Text), ("min_years_in_business", Int),
            ("min_tax_credit_level", Text), ("first_loan_friendly", Bool), ("policy_support", Text), ("approval_days", Int), ("description", Text),
            ("status", Text), ("catalog_version", Long), ("created_at", Time), ("updated_at", Time),
        ]);

        public static readonly Table ProductRegions = new("product_regions", [("product_id", Text), ("region_prefix", Text)]);

        public static readonly Table Enterprises = new("enterprises",
        [
            ("id", Text), ("credit_code", Text), ("name", Text), ("region_code", Text), ("industry_code", Text), ("size", Text), ("employees", Int),
            ("annual_revenue", Money), ("established_on", Day), ("tags", Text), ("tax_credit_level", Text), ("has_loan_history", Bool),
            ("created_at", Time), ("updated_at", Time),
        ]);

        public static readonly Table Requests = new("financing_requests",
        [
            ("id", Text), ("enterprise_id", Text), ("region_code", Text), ("industry_code", Text), ("amount", Money), ("term_months", Int),
            ("purpose", Text), ("guarantee_modes", Text), ("max_rate", Money), ("needed_by", Day), ("description", Text), ("status", Text),
            ("status_reason", Text), ("submitted_at", Time), ("updated_at", Time), ("published_at", Time), ("dispatched_at", Time),
            ("resolved_at", Time), ("rating", Int), ("rating_comment", Text), ("rated_at", Time), ("submitted_day", Day), ("submitted_month", Text),
            ("first_loan", Bool), ("accepted_at", Time), ("hours_to_first_answer", Money), ("hours_to_result", Money), ("answers_due", Int),
            ("answers_on_time", Int), ("approved_amount", Money), ("approved_credit", Bool), ("approved_institution_id", Text),
            ("approved_product_kind", Text), ("result_status", Text), ("dispute_reason", Text), ("disputed_at", Time), ("disputed_amount", Money),
            ("approved_rate", Money),
        ]);

        public static readonly Table Dispatches = new("dispatches",
        [
            ("id", Text), ("request_id", Text), ("institution_id", Text), ("product_id", Text), ("rank", Int), ("status", Text),
            ("dispatched_at", Time), ("answer_due_at", Time), ("answered_at", Time), ("answered_on_time", Bool), ("decline_reason", Text),
            ("feedback_due_at", Time), ("outcome", Text), ("approved_amount", Money), ("approved_rate", Money), ("approved_term_months", Int),
            ("reject_reason", Text), ("feedback_at", Time), ("overdue_at", Time), ("updated_at", Time),
        ]);
    }

    /// <summary>Where rows go: one open connection, one transaction per batch.</summary>
    private abstract class Sink : IAsyncDisposable
    {
        protected DbTransaction? Transaction;

        public static async Task<Sink> OpenAsync(DatabaseProvider provider, string connectionString, CancellationToken cancellationToken)
        {
            Sink sink = provider switch
            {
                DatabaseProvider.PostgreSql => new PostgresSink(new NpgsqlConnection(connectionString)),
                DatabaseProvider.Sqlite => new SqliteSink(new SqliteConnection(connectionString)),
                _ => throw new NotSupportedException("generate-statistics-data writes PostgreSQL (binary COPY) or SQLite; SQL Server is not supported."),
            };
            await sink.Connection.OpenAsync(cancellationToken);
            return sink;
        }

        protected abstract DbConnection Connection { get; }

        public async Task InTransactionAsync(Func<Task> work, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
            Transaction = transaction;
            await work();
            await transaction.CommitAsync(cancellationToken);
            Transaction = null;
        }

        public abstract Task CopyAsync(Table table, IEnumerable<object?[]> rows);

        /// <summary>Before the requests are loaded: where the roll-up can be rebuilt at the end, its per-write deltas are not kept.</summary>
        public virtual Task BeginRequestsAsync() => Task.CompletedTask;

        /// <summary>After the requests are loaded (SQLite's triggers appended their deltas, which the API's fold job folds).</summary>
        public virtual Task EndRequestsAsync() => Task.CompletedTask;

        protected async Task ExecuteAsync(string sql)
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = 3600;
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>Moves the catalog version on (as every product write does) and returns it, for the new products' stamp.</summary>
        public async Task<long> NextCatalogVersionAsync()
        {
            await using var bump = Connection.CreateCommand();
            bump.Transaction = Transaction;
            bump.CommandText = "UPDATE catalog_version SET version = version + 1 WHERE id = 1";
            await bump.ExecuteNonQueryAsync();
            await using var read = Connection.CreateCommand();
            read.Transaction = Transaction;
            read.CommandText = "SELECT version FROM catalog_version WHERE id = 1";
            return Convert.ToInt64(await read.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        /// <summary>Fresh planner statistics for the tables just filled.</summary>
        public async Task AnalyzeAsync()
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = "ANALYZE";
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    private sealed class PostgresSink(NpgsqlConnection connection) : Sink
    {
        protected override DbConnection Connection => connection;

        private static readonly string[] LoadedTables = [Tables.Requests.Name, Tables.Dispatches.Name];

        /// <summary>The secondary indexes dropped for the load (name → definition), built again at its end.</summary>
        private readonly List<string> _indexes = [];

        private bool _allTriggers;

        // Ten million requests would append thirty million deltas, one per request and breakdown: the roll-up is
        // recomputed from the rows at the end instead, in a few set-based statements (statistics_rollup_rebuild). The
        // rows are consistent by construction, so as owner of the tables (a benchmark's own server) the load also skips
        // the foreign-key checks (DISABLE TRIGGER ALL), and builds the indexes that back no constraint once at the end
        // rather than row by row.
        public override async Task BeginRequestsAsync()
        {
            await using (var command = new NpgsqlCommand("""
                SELECT i.indexdef FROM pg_indexes AS i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(@Tables)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
                """, connection))
            {
                command.Parameters.AddWithValue("Tables", LoadedTables);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) _indexes.Add(reader.GetString(0));
            }
            foreach (var definition in _indexes)
                await ExecuteAsync($"DROP INDEX {definition.Split(' ')[definition.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) ? 3 : 2]}");
            try
            {
                foreach (var table in LoadedTables) await ExecuteAsync($"ALTER TABLE {table} DISABLE TRIGGER ALL");
                _allTriggers = true;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                await ExecuteAsync("ALTER TABLE financing_requests DISABLE TRIGGER statistics_rollup_after_insert");
            }
        }

        public override async Task EndRequestsAsync()
        {
            if (_allTriggers)
                foreach (var table in LoadedTables) await ExecuteAsync($"ALTER TABLE {table} ENABLE TRIGGER ALL");
            else
                await ExecuteAsync("ALTER TABLE financing_requests ENABLE TRIGGER statistics_rollup_after_insert");
            foreach (var definition in _indexes) await ExecuteAsync(definition);
            await ExecuteAsync("SELECT statistics_rollup_rebuild()");
        }

        public override async Task CopyAsync(Table table, IEnumerable<object?[]> rows)
        {
            var columns = string.Join(", ", table.Columns.Select(c => c.Column));
            await using var importer = await connection.BeginBinaryImportAsync($"COPY {table.Name} ({columns}) FROM STDIN (FORMAT BINARY)");
            importer.Timeout = TimeSpan.FromMinutes(10);
            // Synchronous writes: they only fill the buffer (flushed when full), where an awaited write per value costs more than the value.
            foreach (var row in rows)
            {
                importer.StartRow();
                for (var i = 0; i < row.Length; i++)
                {
                    if (row[i] is null) importer.WriteNull();
                    else importer.Write(row[i], table.Columns[i].Type);
                }
            }
            await importer.CompleteAsync();
        }
    }

    private sealed class SqliteSink(SqliteConnection connection) : Sink
    {
        protected override DbConnection Connection => connection;

        public override async Task CopyAsync(Table table, IEnumerable<object?[]> rows)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = (SqliteTransaction?)Transaction;
            command.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Column))}) " +
                                  $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"$p{i}"))})";
            var parameters = table.Columns.Select((_, i) => command.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}" })).ToArray();
            command.Prepare();
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++) parameters[i].Value = Sqlite(row[i]);
                await command.ExecuteNonQueryAsync();
            }
        }

        /// <summary>Values as the API's Dapper type handlers store them in SQLite.</summary>
        private static object Sqlite(object? value) => value switch
        {
            null => DBNull.Value,
            DateTimeOffset time => time.ToUniversalTime().ToString(SqlDialect.SqliteTimeFormat, CultureInfo.InvariantCulture),
            DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            bool flag => flag ? 1 : 0,
            _ => value,
        };
    }
}
