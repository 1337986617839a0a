using Dapper;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Matching;
using FinanceSupermarket.Testing;
using Npgsql;
using NpgsqlTypes;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// The same ranking in PostgreSQL, two ways, read with Dapper:
/// <list type="bullet">
/// <item>the <b>fair</b> peer (<see cref="RankFairAsync"/>), as a competent engineer would write it: eligibility postings
/// computed on write — one row per product and effective region prefix (its own regions intersected with its
/// institution's, as the engine does), keyed by integers (region prefix id, product number, industry prefix ids), with the
/// hard rules' fields as integers and bitmasks and the request-independent part of the score (track record included)
/// precomputed — and one covering btree per region prefix ordered by that static part, so that each of the request's
/// prefixes is read best first by an index-only scan that stops after <c>depth</c> eligible postings (the LIMIT pushed
/// into each prefix). No posting left unread can score more than its static part plus the most the request adds (40), so
/// when the top 20 found beats that bound it is the exact answer; otherwise the peer reads again, four times deeper;</item>
/// <item>the <b>naive</b> peer (<see cref="RankNaiveAsync"/>), kept only as the strawman it is: one table with text[] list
/// columns, the hard rules as WHERE clauses with unnest per row, the whole score computed per row in ORDER BY.</item>
/// </list>
/// Both compute the score with the engine's arithmetic (double precision, the same operations in the same order) and round
/// it as .NET's <see cref="Math.Round(double, int, MidpointRounding)"/> does (away from zero: truncate x·100 + 0.5⁻), so
/// that scores, and rankings with their ties, are the engine's exactly.
/// Region codes are stored as the engine reads them (GB/T 2260 "330400" as "3304"), as a host would store them on write.
/// </summary>
public sealed class SqlRanking : IAsyncDisposable
{
    private readonly TemporaryPostgresServer? _server;
    private readonly NpgsqlDataSource _dataSource;
    private readonly Dictionary<string, int> _regionIds = new(StringComparer.Ordinal), _industryIds = new(StringComparer.Ordinal);

    private SqlRanking(TemporaryPostgresServer? server, string connectionString)
    {
        _server = server;
        // No command timeout: loading a million products on a loaded machine outlasts the default 30 s.
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
    }

    static SqlRanking() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Uses the server in BENCH_PG when set, else starts a throwaway one; creates the schema and loads the products.</summary>
    public static async Task<SqlRanking> StartAsync(IReadOnlyCollection<ProductListing> products, IReadOnlyDictionary<string, InstitutionTrackRecord> tracks)
    {
        var connectionString = Environment.GetEnvironmentVariable("BENCH_PG");
        TemporaryPostgresServer? server = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            server = await TemporaryPostgresServer.StartAsync();
            connectionString = await server.CreateDatabaseAsync("ranking_bench");
        }
        var ranking = new SqlRanking(server, connectionString);
        await ranking.LoadAsync(products, tracks);
        return ranking;
    }

    public const string Schema = """
        DROP TABLE IF EXISTS bench_products, bench_institutions, bench_track_records, bench_postings;
        CREATE TABLE bench_institutions (id text PRIMARY KEY, region_codes text[] NOT NULL);
        CREATE TABLE bench_track_records (
            institution_id text PRIMARY KEY, answered_count int NOT NULL,
            on_time_answer_rate double precision NOT NULL, approval_rate double precision NOT NULL);
        CREATE TABLE bench_products (
            id text PRIMARY KEY, no int NOT NULL UNIQUE, institution_id text NOT NULL, name text NOT NULL, kind text NOT NULL,
            min_amount numeric(18,2) NOT NULL, max_amount numeric(18,2) NOT NULL,
            min_term_months int NOT NULL, max_term_months int NOT NULL,
            min_rate numeric(7,4) NOT NULL, max_rate numeric(7,4) NOT NULL,
            guarantee_modes text[] NOT NULL, region_codes text[] NOT NULL, industry_codes text[] NOT NULL,
            enterprise_sizes text[] NOT NULL, required_tags text[] NOT NULL, min_years_in_business int NOT NULL,
            min_tax_credit_level text NULL, first_loan_friendly boolean NOT NULL, policy_support text[] NOT NULL,
            approval_days int NOT NULL, status text NOT NULL);
        """;

    public const string Indexes = """
        CREATE INDEX ON bench_products (institution_id);
        CREATE INDEX ON bench_products (status, min_amount, max_amount);
        CREATE INDEX bench_postings_best_first ON bench_postings (region_id, static_score DESC)
            INCLUDE (min_amount, max_amount, min_term, max_term, min_rate, guarantee_mask, size_mask, tags_mask, min_years, min_tax,
                     loan_rule, kind, first_loan_friendly, industry_ids, log_min_amount, inv_log_amount_span, inv_term_span,
                     product_no, product_id);
        """;

    // Index-only scans need the visibility map.
    public const string Vacuum = "VACUUM ANALYZE";

    // The fair peer's postings: amounts in cents, rates as numeric (the tie-break compares them exactly), lists as bitmasks
    // (bit = the enum's value), loan_rule 1 = first loans only (首贷), 2 = renewals only (续贷), min_tax −1 = none; region
    // and industry prefixes as ids the writer hands out; static_score = rate + approval speed + policy + track record parts.
    public const string PostingsSchema = """
        CREATE TABLE bench_postings (
            region_id int NOT NULL, product_no int NOT NULL, product_id text COLLATE "C" NOT NULL,
            min_amount bigint NOT NULL, max_amount bigint NOT NULL, min_term int NOT NULL, max_term int NOT NULL,
            min_rate numeric(7,4) NOT NULL, guarantee_mask int NOT NULL, size_mask int NOT NULL, tags_mask int NOT NULL,
            min_years int NOT NULL, min_tax int NOT NULL, loan_rule int NOT NULL, kind int NOT NULL, first_loan_friendly boolean NOT NULL,
            industry_ids int[] NOT NULL, static_score float8 NOT NULL,
            log_min_amount float8 NOT NULL, inv_log_amount_span float8 NOT NULL, inv_term_span float8 NOT NULL);
        """;

    // .NET's Math.Round(x, 2, MidpointRounding.AwayFromZero) on a double: Truncate(x·100 + BitDecrement(0.5)) / 100.
    private const string RoundedHundredths = "trunc(raw * 100 + 0.49999999999999994::float8) / 100";

    // Per region prefix, the eligible postings best static part first, at most @depth of them (an index-only scan of that
    // prefix's part of bench_postings_best_first that stops there); the request-dependent part of the score added (summed in
    // the engine's order); the top @limit of all prefixes joined to their product rows by number. unseen_bound: the most any
    // posting left unread can score (the lowest static part read in a prefix that was cut off, plus 40 and a cent), NULL
    // when every prefix was read to its end.
    public const string FairQuery = $$"""
        WITH read AS (
            SELECT r.id AS region_id, c.*
            FROM unnest(@regionIds) AS r(id)
            CROSS JOIN LATERAL (
                SELECT e.product_no, e.product_id, e.min_rate, e.static_score,
                       {{RoundedHundredths}} AS score
                FROM bench_postings e
                CROSS JOIN LATERAL (SELECT e.static_score
                     + 8 * CASE WHEN e.inv_log_amount_span > 0
                                THEN greatest(0, least(1, least((@logAmount - e.log_min_amount) * e.inv_log_amount_span,
                                                                1 - (@logAmount - e.log_min_amount) * e.inv_log_amount_span) / 0.25))
                                WHEN @logAmount = e.log_min_amount THEN 1 ELSE 0 END
                     + 7 * CASE WHEN e.inv_term_span > 0
                                THEN greatest(0, least(1, least((@term - e.min_term) * e.inv_term_span,
                                                                1 - (@term - e.min_term) * e.inv_term_span) / 0.25))
                                WHEN @term = e.min_term THEN 1 ELSE 0 END
                     + 15 * (@purposeFit::float8[])[e.kind + 1]
                     + 10 * CASE WHEN NOT @firstLoanSeeker OR e.first_loan_friendly THEN 1 ELSE 0 END AS raw) s
                WHERE e.region_id = r.id
                  AND e.min_amount <= @amountFloor AND e.max_amount >= @amountCeiling
                  AND e.min_term <= @term AND e.max_term >= @term
                  AND (e.guarantee_mask & @guaranteeMask) <> 0 AND (e.size_mask & @sizeBit) <> 0 AND (e.tags_mask & ~@tagsMask) = 0
                  AND e.min_years <= @years AND e.min_tax <= @taxLevel AND e.loan_rule <> @excludedLoanRule
                  AND (cardinality(e.industry_ids) = 0 OR e.industry_ids && @industryIds)
                  AND (@maxRate::numeric IS NULL OR e.min_rate <= @maxRate::numeric)
                ORDER BY e.static_score DESC
                LIMIT @depth) c),
        unseen AS (
            SELECT max(lowest) + 40.01 AS bound
            FROM (SELECT min(static_score) AS lowest FROM read GROUP BY region_id HAVING count(*) = @depth) cut),
        top AS (
            SELECT product_no, product_id, min_rate, score FROM read ORDER BY score DESC, min_rate, product_id LIMIT @limit)
        SELECT p.id, p.institution_id, p.name, p.kind, p.min_amount, p.max_amount, p.min_term_months, p.max_term_months,
               p.min_rate, p.max_rate, p.approval_days, p.first_loan_friendly, top.score, (SELECT bound FROM unseen) AS unseen_bound
        FROM top JOIN bench_products p ON p.no = top.product_no
        ORDER BY top.score DESC, top.min_rate, top.product_id
        """;

    // The hard rules as WHERE clauses, the ranking as an ORDER BY expression (same weights as Scoring).
    public const string NaiveQuery = $$"""
        SELECT p.id, p.institution_id, p.name, p.kind, p.min_amount, p.max_amount, p.min_term_months, p.max_term_months,
               p.min_rate, p.max_rate, p.approval_days, p.first_loan_friendly,
               {{RoundedHundredths}} AS score
        FROM bench_products p
        JOIN bench_institutions i ON i.id = p.institution_id
        LEFT JOIN bench_track_records t ON t.institution_id = p.institution_id
        CROSS JOIN LATERAL (SELECT
                   30 * greatest(0, least(1, (15 - p.min_rate::float8) / 12.5))
                 + 10 * greatest(0, least(1, (30 - p.approval_days)::float8 / 29))
                 + 10 * ((SELECT count(DISTINCT s) FROM unnest(p.policy_support) s)::float8 / 3)
                 + 10 * coalesce(CASE WHEN t.answered_count > 0 THEN
                         (t.answered_count * (0.5 * least(1, greatest(0, t.on_time_answer_rate)) + 0.5 * least(1, greatest(0, t.approval_rate))) + 2.5)
                         / (t.answered_count + 5) END, 0.5)
                 + 8 * CASE WHEN p.max_amount > p.min_amount THEN greatest(0, least(1, least(
                         (ln(@amount::float8) - ln(greatest(p.min_amount::float8, 1))) * (1 / (ln(greatest(p.max_amount::float8, 1)) - ln(greatest(p.min_amount::float8, 1)))),
                         1 - (ln(@amount::float8) - ln(greatest(p.min_amount::float8, 1))) * (1 / (ln(greatest(p.max_amount::float8, 1)) - ln(greatest(p.min_amount::float8, 1))))) / 0.25))
                       ELSE 1 END
                 + 7 * CASE WHEN p.max_term_months > p.min_term_months THEN greatest(0, least(1, least(
                         (@term - p.min_term_months) * (1::float8 / (p.max_term_months - p.min_term_months)),
                         1 - (@term - p.min_term_months) * (1::float8 / (p.max_term_months - p.min_term_months))) / 0.25))
                       ELSE 1 END
                 + 15 * CASE WHEN p.kind = ANY(@madeFor) THEN 1 WHEN p.kind = ANY(@generalPurpose) THEN 0.5 ELSE 0 END
                 + 10 * CASE WHEN NOT @firstLoanSeeker OR p.first_loan_friendly OR p.kind = 'first_loan' THEN 1 ELSE 0 END AS raw) s
        WHERE p.status = 'listed'
          AND p.min_amount <= @amount AND p.max_amount >= @amount
          AND p.min_term_months <= @term AND p.max_term_months >= @term
          AND (cardinality(p.region_codes) = 0 OR EXISTS (SELECT 1 FROM unnest(p.region_codes) r WHERE starts_with(@region, r)))
          AND (cardinality(i.region_codes) = 0 OR EXISTS (SELECT 1 FROM unnest(i.region_codes) r WHERE starts_with(@region, r)))
          AND (cardinality(p.industry_codes) = 0 OR EXISTS (SELECT 1 FROM unnest(p.industry_codes) c WHERE starts_with(@industry, c)))
          AND (cardinality(p.enterprise_sizes) = 0 OR @size = ANY(p.enterprise_sizes))
          AND p.required_tags <@ @tags
          AND p.min_years_in_business <= @years
          AND (p.min_tax_credit_level IS NULL
               OR array_position(ARRAY['D','C','M','B','A'], p.min_tax_credit_level) <= array_position(ARRAY['D','C','M','B','A'], @taxLevel))
          AND p.guarantee_modes && @guaranteeModes
          AND NOT (p.kind = 'first_loan' AND NOT @firstLoanSeeker) AND NOT (p.kind = 'renewal' AND @firstLoanSeeker)
          AND (@maxRate::numeric IS NULL OR p.min_rate <= @maxRate::numeric)
        ORDER BY score DESC, p.min_rate, p.id COLLATE "C"
        LIMIT @limit
        """;

    public sealed class Row
    {
        public string Id { get; set; } = "";
        public string InstitutionId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Kind { get; set; } = "";
        public decimal MinAmount { get; set; }
        public decimal MaxAmount { get; set; }
        public int MinTermMonths { get; set; }
        public int MaxTermMonths { get; set; }
        public decimal MinRate { get; set; }
        public decimal MaxRate { get; set; }
        public int ApprovalDays { get; set; }
        public bool FirstLoanFriendly { get; set; }
        public double Score { get; set; }
        public double? UnseenBound { get; set; }
    }

    /// <summary>The naive peer: kept only to show what the fair one gains.</summary>
    public async Task<List<Row>> RankNaiveAsync(MatchQuery q)
    {
        var e = q.Enterprise;
        var kinds = Enum.GetValues<ProductKind>();
        var parameters = new
        {
            amount = q.Amount,
            term = q.TermMonths,
            region = e.RegionCode,
            industry = e.IndustryCode,
            size = EnumText.ToText(e.Size),
            tags = e.Tags.Select(EnumText.ToText).ToArray(),
            years = YearsInBusiness(e.EstablishedOn, q.Today),
            taxLevel = EnumText.ToText(e.TaxCreditLevel),
            guaranteeModes = q.GuaranteeModes.Select(EnumText.ToText).ToArray(),
            maxRate = q.MaxRate,
            madeFor = kinds.Where(k => Scoring.PurposeFit(q.Purpose, k) >= 1).Select(EnumText.ToText).ToArray(),
            generalPurpose = kinds.Where(k => Scoring.PurposeFit(q.Purpose, k) is > 0 and < 1).Select(EnumText.ToText).ToArray(),
            firstLoanSeeker = !e.HasLoanHistory,
            limit = q.Limit,
        };
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<Row>(NaiveQuery, parameters)).AsList();
    }

    /// <summary>The fair peer: reads each region prefix's postings best first, deeper until the top N is provably exact.</summary>
    public async Task<List<Row>> RankFairAsync(MatchQuery q)
    {
        var parameters = FairParameters(q);
        await using var connection = await _dataSource.OpenConnectionAsync();
        for (var depth = FirstDepth; ; depth *= 4)
        {
            parameters.Add("depth", depth);
            var rows = (await connection.QueryAsync<Row>(FairQuery, parameters)).AsList();
            // Exact when nothing was left unread, or when the last kept score beats anything left unread.
            var unseen = rows.Count > 0 ? rows[0].UnseenBound : null;
            if (unseen is null || rows.Count == q.Limit && rows[^1].Score > unseen) return rows;
            Interlocked.Increment(ref _deeperReads);
        }
    }

    /// <summary>PostgreSQL's plan of the fair peer's first read for this request, as run (EXPLAIN ANALYZE, BUFFERS).</summary>
    public async Task<List<string>> ExplainFairAsync(MatchQuery q)
    {
        var parameters = FairParameters(q);
        parameters.Add("depth", FirstDepth);
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + FairQuery, parameters)).AsList();
    }

    private DynamicParameters FairParameters(MatchQuery q)
    {
        var e = q.Enterprise;
        var region = e.RegionCode.Trim();
        var industry = e.IndustryCode.Trim();
        return new DynamicParameters(new
        {
            regionIds = Enumerable.Range(0, region.Length + 1).Select(n => _regionIds.GetValueOrDefault(region[..n], -1)).Where(id => id >= 0).ToArray(),
            industryIds = Enumerable.Range(1, industry.Length).Select(n => _industryIds.GetValueOrDefault(industry[..n], -1)).Where(id => id >= 0).ToArray(),
            amountFloor = (long)decimal.Floor(q.Amount * 100), amountCeiling = (long)decimal.Ceiling(q.Amount * 100),
            logAmount = Math.Log(Math.Max((double)q.Amount, 1)),
            term = q.TermMonths,
            guaranteeMask = Mask(q.GuaranteeModes), sizeBit = 1 << (int)e.Size, tagsMask = Mask(e.Tags),
            years = YearsInBusiness(e.EstablishedOn, q.Today), taxLevel = (int)e.TaxCreditLevel,
            excludedLoanRule = e.HasLoanHistory ? 1 : 2,
            maxRate = q.MaxRate,
            purposeFit = Enum.GetValues<ProductKind>().Select(k => Scoring.PurposeFit(q.Purpose, k)).ToArray(),
            firstLoanSeeker = !e.HasLoanHistory,
            limit = q.Limit,
        });
    }

    // Eligible postings read per prefix at first: in these data about what the top 20 needs to be provably exact.
    private const int FirstDepth = 256;
    private int _deeperReads;

    /// <summary>How many times the fair peer had to read deeper than its first depth (for the benchmark's output).</summary>
    public int DeeperReads => _deeperReads;

    private static int Mask<T>(IEnumerable<T> values) where T : struct, Enum => values.Aggregate(0, (mask, v) => mask | 1 << Convert.ToInt32(v));

    private static int YearsInBusiness(DateOnly establishedOn, DateOnly today)
    {
        if (today <= establishedOn) return 0;
        var years = today.Year - establishedOn.Year;
        return establishedOn.AddYears(years) > today ? years - 1 : years;
    }

    private async Task LoadAsync(IReadOnlyCollection<ProductListing> products, IReadOnlyDictionary<string, InstitutionTrackRecord> tracks)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(Schema + PostingsSchema);

        var institutions = products.GroupBy(p => p.InstitutionId).Select(g => g.First()).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_institutions (id, region_codes) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var p in institutions)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(p.InstitutionId, NpgsqlDbType.Text);
                await writer.WriteAsync(Regions(p.InstitutionRegionCodes), NpgsqlDbType.Array | NpgsqlDbType.Text);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "COPY bench_track_records (institution_id, answered_count, on_time_answer_rate, approval_rate) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (institutionId, record) in tracks)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(institutionId, NpgsqlDbType.Text);
                await writer.WriteAsync(record.AnsweredCount, NpgsqlDbType.Integer);
                await writer.WriteAsync(record.OnTimeAnswerRate, NpgsqlDbType.Double);
                await writer.WriteAsync(record.ApprovalRate, NpgsqlDbType.Double);
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("""
                         COPY bench_products (id, no, institution_id, name, kind, min_amount, max_amount, min_term_months, max_term_months,
                             min_rate, max_rate, guarantee_modes, region_codes, industry_codes, enterprise_sizes, required_tags,
                             min_years_in_business, min_tax_credit_level, first_loan_friendly, policy_support, approval_days, status)
                         FROM STDIN (FORMAT BINARY)
                         """))
        {
            var no = 0;
            foreach (var p in products)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(p.Id, NpgsqlDbType.Text);
                await writer.WriteAsync(no++, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.InstitutionId, NpgsqlDbType.Text);
                await writer.WriteAsync(p.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(EnumText.ToText(p.Kind), NpgsqlDbType.Text);
                await writer.WriteAsync(p.MinAmount, NpgsqlDbType.Numeric);
                await writer.WriteAsync(p.MaxAmount, NpgsqlDbType.Numeric);
                await writer.WriteAsync(p.MinTermMonths, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MaxTermMonths, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MinRate, NpgsqlDbType.Numeric);
                await writer.WriteAsync(p.MaxRate, NpgsqlDbType.Numeric);
                await writer.WriteAsync(p.GuaranteeModes.Select(EnumText.ToText).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(Regions(p.RegionCodes), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(p.IndustryCodes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(p.EnterpriseSizes.Select(EnumText.ToText).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(p.RequiredTags.Select(EnumText.ToText).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(p.MinYearsInBusiness, NpgsqlDbType.Integer);
                if (p.MinTaxCreditLevel is { } level) await writer.WriteAsync(EnumText.ToText(level), NpgsqlDbType.Text);
                else await writer.WriteNullAsync();
                await writer.WriteAsync(p.FirstLoanFriendly, NpgsqlDbType.Boolean);
                await writer.WriteAsync(p.PolicySupport.Select(EnumText.ToText).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await writer.WriteAsync(p.ApprovalDays, NpgsqlDbType.Integer);
                await writer.WriteAsync(EnumText.ToText(p.Status), NpgsqlDbType.Text);
            }
            await writer.CompleteAsync();
        }
        await WritePostingsAsync(connection, products, tracks);
        await connection.ExecuteAsync(Indexes, commandTimeout: 0);
        await connection.ExecuteAsync(Vacuum, commandTimeout: 0);
    }

    // What the fair peer's write path computes once per product: where it is offered, its masks and its static score.
    private async Task WritePostingsAsync(NpgsqlConnection connection, IEnumerable<ProductListing> products,
        IReadOnlyDictionary<string, InstitutionTrackRecord> tracks)
    {
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY bench_postings (region_id, product_no, product_id, min_amount, max_amount, min_term, max_term, min_rate, guarantee_mask,
                size_mask, tags_mask, min_years, min_tax, loan_rule, kind, first_loan_friendly, industry_ids, static_score,
                log_min_amount, inv_log_amount_span, inv_term_span)
            FROM STDIN (FORMAT BINARY)
            """);
        var no = -1;
        foreach (var p in products)
        {
            no++;
            if (p.Status != ProductStatus.Listed) continue;
            var staticScore = Scoring.RateWeight * Scoring.RateValue(p.MinRate) + Scoring.ApprovalSpeedWeight * Scoring.ApprovalSpeedValue(p.ApprovalDays)
                              + Scoring.PolicySupportWeight * Scoring.PolicySupportValue(p.PolicySupport)
                              + Scoring.TrackRecordWeight * Scoring.TrackRecordValue(tracks.GetValueOrDefault(p.InstitutionId));
            var logMin = Math.Log(Math.Max((double)p.MinAmount, 1));
            var logSpan = Math.Log(Math.Max((double)p.MaxAmount, 1)) - logMin;
            var industries = p.IndustryCodes.Any(c => c.Trim().Length == 0) ? []
                : p.IndustryCodes.Select(c => Id(_industryIds, c.Trim())).Distinct().ToArray();
            foreach (var prefix in EffectiveRegions(p))
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(Id(_regionIds, prefix), NpgsqlDbType.Integer);
                await writer.WriteAsync(no, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.Id, NpgsqlDbType.Text);
                await writer.WriteAsync((long)decimal.Ceiling(p.MinAmount * 100), NpgsqlDbType.Bigint);
                await writer.WriteAsync((long)decimal.Floor(p.MaxAmount * 100), NpgsqlDbType.Bigint);
                await writer.WriteAsync(p.MinTermMonths, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MaxTermMonths, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MinRate, NpgsqlDbType.Numeric);
                await writer.WriteAsync(Mask(p.GuaranteeModes), NpgsqlDbType.Integer);
                await writer.WriteAsync(p.EnterpriseSizes.Count == 0 ? -1 : Mask(p.EnterpriseSizes), NpgsqlDbType.Integer);
                await writer.WriteAsync(Mask(p.RequiredTags), NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MinYearsInBusiness, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.MinTaxCreditLevel is { } level ? (int)level : -1, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.Kind == ProductKind.FirstLoan ? 1 : p.Kind == ProductKind.Renewal ? 2 : 0, NpgsqlDbType.Integer);
                await writer.WriteAsync((int)p.Kind, NpgsqlDbType.Integer);
                await writer.WriteAsync(p.FirstLoanFriendly || p.Kind == ProductKind.FirstLoan, NpgsqlDbType.Boolean);
                await writer.WriteAsync(industries, NpgsqlDbType.Array | NpgsqlDbType.Integer);
                await writer.WriteAsync(staticScore, NpgsqlDbType.Double);
                await writer.WriteAsync(logMin, NpgsqlDbType.Double);
                await writer.WriteAsync(logSpan > 0 ? 1.0 / logSpan : 0, NpgsqlDbType.Double);
                await writer.WriteAsync(p.MaxTermMonths > p.MinTermMonths ? 1.0 / (p.MaxTermMonths - p.MinTermMonths) : 0, NpgsqlDbType.Double);
            }
        }
        await writer.CompleteAsync();
    }

    private static int Id(Dictionary<string, int> ids, string code)
    {
        if (!ids.TryGetValue(code, out var id)) ids.Add(code, id = ids.Count);
        return id;
    }

    /// <summary>The product's regions intersected with its institution's (none = no restriction), narrowest kept.</summary>
    private static IEnumerable<string> EffectiveRegions(ProductListing p)
    {
        string[] own = p.RegionCodes.Count == 0 ? [""] : Regions(p.RegionCodes), served = p.InstitutionRegionCodes.Count == 0 ? [""] : Regions(p.InstitutionRegionCodes);
        var both = own.SelectMany(o => served.Select(s => o.StartsWith(s, StringComparison.Ordinal) ? o : s.StartsWith(o, StringComparison.Ordinal) ? s : null))
            .OfType<string>().Distinct().ToList();
        return both.Where(r => !both.Any(shorter => shorter.Length < r.Length && r.StartsWith(shorter, StringComparison.Ordinal)));
    }

    private static string[] Regions(IReadOnlyList<string> codes) => codes.Select(Codes.NormaliseRegionPrefix).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
