using System.Reflection;
using System.Text.RegularExpressions;
using DbUp.Engine.Preprocessors;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FinanceSupermarket.IntegrationTests.SqlServer;

/// <summary>
/// SQL Server cannot run here, so its SQL is checked by SQL Server's own parser (ScriptDom, SQL Server 2022 grammar):
/// its migrations (database/common/ rendered with the SQL Server dialect's variables, and database/sqlserver/), and every
/// SQL string the API runs — the portable statements kept in <c>const string XxxSql</c> fields beside their handlers, and
/// the SQL Server dialect's paging. A syntax error, or a SQLite/PostgreSQL-only construct that slipped into the shared
/// SQL, fails here instead of in production.
/// </summary>
public sealed class TransactSqlTests
{
    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly SqlDialect SqlServer = SqlDialect.For(DatabaseProvider.SqlServer);

    /// <summary>
    /// The scripts a provider has of its own, beside the shared database/common/: where the providers really differ (the
    /// statistics at scale: PostgreSQL's roll-up, SQLite's covering index, SQL Server's columnstore; the audit trail's
    /// append-only triggers; widening a column, which SQLite's unbounded text does not need). A new one is named
    /// here on purpose, so that a script meant for every provider does not land in one provider's folder by mistake.
    /// </summary>
    private static readonly Dictionary<DatabaseProvider, string[]> ProviderOnlyScripts = new()
    {
        [DatabaseProvider.Sqlite] = ["0004_statistics_rollup.sql", "0008_audit_chain_append_only.sql", "0012_statistics_deltas.sql", "0013_statistics_histograms.sql",
            "0014_statistics_days_and_answers.sql"],
        [DatabaseProvider.PostgreSql] = ["0004_statistics_rollup.sql", "0008_audit_chain_append_only.sql", "0010_audit_detail_unbounded.sql", "0012_statistics_deltas.sql",
            "0013_statistics_histograms.sql", "0014_statistics_days_and_answers.sql", "0015_statistics_net_deltas.sql"],
        [DatabaseProvider.SqlServer] = ["0004_statistics_rollup.sql", "0008_audit_chain_append_only.sql", "0010_audit_detail_unbounded.sql"],
    };

    // ------------------------------------------------------------------ migration scripts

    public static IEnumerable<TestCaseData> SqlServerScripts() =>
        new MigrationScripts(DatabaseProvider.SqlServer).Scripts()
            .Select(script => new TestCaseData(script.Name).SetName($"{{m}}({script.Name})"));

    [TestCaseSource(nameof(SqlServerScripts))]
    public void Migration_script_parses_as_TSql(string journalName)
    {
        var script = new MigrationScripts(DatabaseProvider.SqlServer).Scripts().Single(s => s.Name == journalName);
        ShouldBeValidTSql(Rendered(script.Contents, SqlServer), journalName);
    }

    [Test]
    public void The_database_folder_holds_the_common_scripts_and_only_the_provider_only_scripts_named_here()
    {
        var database = Path.Combine(RepoRoot, "database");
        Directory.EnumerateDirectories(database).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .ShouldBe(ProviderOnlyScripts.Keys.Select(MigrationScripts.ProviderFolder).Append("common").Order(StringComparer.Ordinal));
        FilesIn(Path.Combine(database, "common")).ShouldNotBeEmpty();
        foreach (var (provider, scripts) in ProviderOnlyScripts)
            FilesIn(Path.Combine(database, MigrationScripts.ProviderFolder(provider))).ShouldBe(scripts, $"database/{MigrationScripts.ProviderFolder(provider)}/");
    }

    /// <summary>What keeps the providers in step: each runs every common script, then its own, in file-name order.</summary>
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.PostgreSql)]
    [TestCase(DatabaseProvider.SqlServer)]
    public void Each_provider_migrates_with_every_common_script_and_its_own(DatabaseProvider provider)
    {
        var files = FilesIn(Path.Combine(RepoRoot, "database", "common")).Concat(ProviderOnlyScripts[provider]).Order(StringComparer.Ordinal);

        new MigrationScripts(provider).Scripts().Select(script => script.Name)
            .ShouldBe(files.Select(file => $"FinanceSupermarket.Api.database.{MigrationScripts.ProviderFolder(provider)}.{file}"));
    }

    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.PostgreSql)]
    [TestCase(DatabaseProvider.SqlServer)]
    public void Every_token_of_the_common_scripts_has_a_value_in_the_dialect(DatabaseProvider provider)
    {
        var dialect = SqlDialect.For(provider);
        foreach (var script in new MigrationScripts(provider).Scripts())
            Should.NotThrow(() => Rendered(script.Contents, dialect), script.Name);
    }

    // ------------------------------------------------------------------ the API's SQL

    /// <summary>Every <c>const string …Sql</c> of the API assembly, nested and private types included.</summary>
    public static IEnumerable<TestCaseData> ApiSqlConstants() =>
        ApiSql().Select(sql => new TestCaseData(sql.Text, sql.Wrapped).SetName($"{{m}}({sql.Name})"));

    [TestCaseSource(nameof(ApiSqlConstants))]
    public void Api_sql_parses_as_TSql(string sql, string? wrappedForSqlServer)
    {
        ShouldBeValidTSql(AsStatement(sql), "as written");
        if (wrappedForSqlServer is not null) ShouldBeValidTSql(wrappedForSqlServer, "as the SQL Server dialect pages or limits it");
    }

    /// <summary>The workflow's transition table builds its conditional updates from the enums: each one parses too.</summary>
    public static IEnumerable<TestCaseData> TransitionSql() =>
        Transitions.OfRequests.Select(t => (Name: $"request {t.Event}", t.Sql))
            .Concat(Transitions.OfDispatches.Select(t => (Name: $"dispatch {t.Event}", t.Sql)))
            .Where(t => t.Sql is not null)
            .Select(t => new TestCaseData(t.Sql).SetName($"{{m}}({t.Name})"));

    [TestCaseSource(nameof(TransitionSql))]
    public void Transition_sql_parses_as_TSql(string sql) => ShouldBeValidTSql(sql, "as the transition table builds it");

    /// <summary>
    /// Every SQL constant by name, so that one that discovery stops finding (or a new one it finds) is seen here rather
    /// than silently parsed or not. On a deliberate change, the message prints the list as it now stands.
    /// </summary>
    private static readonly string[] ExpectedSqlConstants =
    [
        "Features.Accounts.AcceptInvitation.Handler.AcceptSql",
        "Features.Accounts.AcceptInvitation.Handler.FindSql",
        "Features.Accounts.AcceptInvitation.Handler.HeldSql",
        "Features.Accounts.ApiClients.SelectSql",
        "Features.Accounts.ConfirmMfa.Handler.EnableSql",
        "Features.Accounts.ConfirmPasswordReset.Handler.MatchSql",
        "Features.Accounts.ConfirmPasswordReset.Handler.NewPasswordSql",
        "Features.Accounts.ConfirmPasswordReset.Handler.UsedSql",
        "Features.Accounts.ConfirmPasswordReset.Handler.WrongCodeSql",
        "Features.Accounts.CreateApiClient.Handler.InsertSql",
        "Features.Accounts.CreateInvitation.Handler.InsertSql",
        "Features.Accounts.CreateRegulatorOffice.Handler.InsertSql",
        "Features.Accounts.DeactivatePerson.Handler.DeactivateSql",
        "Features.Accounts.IssueClientToken.Handler.FindSql",
        "Features.Accounts.IssueClientToken.Handler.UsedSql",
        "Features.Accounts.ListApiClients.Handler.ListSql",
        "Features.Accounts.ListMembers.Handler.ListSql",
        "Features.Accounts.ListMessages.Handler.CountSql",
        "Features.Accounts.ListMessages.Handler.FromSql",
        "Features.Accounts.ListMessages.Handler.PageSql",
        "Features.Accounts.ListPeople.Handler.CountSql",
        "Features.Accounts.ListPeople.Handler.FromSql",
        "Features.Accounts.ListPeople.Handler.PageSql",
        "Features.Accounts.ListRegulatorOffices.Handler.ListSql",
        "Features.Accounts.ListSecurityEvents.Handler.CountSql",
        "Features.Accounts.ListSecurityEvents.Handler.FromSql",
        "Features.Accounts.ListSecurityEvents.Handler.PageSql",
        "Features.Accounts.Memberships.InsertSql",
        "Features.Accounts.Memberships.OfPersonSql",
        "Features.Accounts.MfaCodes.AcceptStepSql",
        "Features.Accounts.MfaCodes.DeleteRecoveryCodesSql",
        "Features.Accounts.MfaCodes.InsertRecoveryCodeSql",
        "Features.Accounts.MfaCodes.UseRecoveryCodeSql",
        "Features.Accounts.Organisations.EnterpriseNameSql",
        "Features.Accounts.Organisations.InstitutionNameSql",
        "Features.Accounts.Organisations.OfficeNameSql",
        "Features.Accounts.OutboxMessageSender.InsertSql",
        "Features.Accounts.Person.ByIdSql",
        "Features.Accounts.Person.ByLoginSql",
        "Features.Accounts.Person.InsertSql",
        "Features.Accounts.Person.SelectSql",
        "Features.Accounts.RemoveMembership.Handler.FindSql",
        "Features.Accounts.RemoveMembership.Handler.RemoveSql",
        "Features.Accounts.RemoveMembership.Handler.StewardsSql",
        "Features.Accounts.RequestPasswordReset.Handler.InsertSql",
        "Features.Accounts.RequestPasswordReset.Handler.SupersedeSql",
        "Features.Accounts.ResetMfa.Handler.ResetSql",
        "Features.Accounts.RevokeApiClient.Handler.RevokeSql",
        "Features.Accounts.SecurityEvents.InsertSql",
        "Features.Accounts.Sessions.InsertRefreshSql",
        "Features.Accounts.Sessions.InsertSessionSql",
        "Features.Accounts.Sessions.MoveSql",
        "Features.Accounts.Sessions.RefreshSql",
        "Features.Accounts.Sessions.RevokeOfMembershipSql",
        "Features.Accounts.Sessions.RevokeOfPersonSql",
        "Features.Accounts.Sessions.RevokeSql",
        "Features.Accounts.Sessions.SpendSql",
        "Features.Accounts.Sessions.VerifiedSql",
        "Features.Accounts.SetUpMfa.Handler.PendingSql",
        "Features.Accounts.SignIn.Handler.FailedSql",
        "Features.Accounts.SignIn.Handler.RehashSql",
        "Features.Accounts.SignIn.Handler.SucceededSql",
        "Features.Accounts.WithdrawInvitation.Handler.FindSql",
        "Features.Accounts.WithdrawInvitation.Handler.WithdrawSql",
        "Features.Audit.ListCheckpoints.Handler.ListSql",
        "Features.Audit.RecordCheckpoint.Handler.InsertSql",
        "Features.Audit.SealAuditTrail.Handler.AdvanceSql",
        "Features.Audit.SealAuditTrail.Handler.ChainSql",
        "Features.Audit.SealAuditTrail.Handler.LockSql",
        "Features.Audit.SealAuditTrail.Handler.QueuedSql",
        "Features.Audit.VerifyAuditTrail.Handler.EntriesSql",
        "Features.Audit.VerifyAuditTrail.Handler.HashAtSql",
        "Features.Audit.VerifyAuditTrail.Handler.QueueLengthSql",
        "Features.Blacklist.AddToBlacklist.Handler.InsertSql",
        "Features.Blacklist.AddToBlacklist.Handler.OpenRequestsSql",
        "Features.Blacklist.ListBlacklist.Handler.ListSql",
        "Features.Blacklist.RemoveFromBlacklist.Handler.DeleteSql",
        "Features.Calendar.LoadCalendarYear.Handler.AnswerDueSql",
        "Features.Calendar.LoadCalendarYear.Handler.CountedOverSql",
        "Features.Calendar.LoadCalendarYear.Handler.DeleteSql",
        "Features.Calendar.LoadCalendarYear.Handler.FeedbackDueSql",
        "Features.Calendar.LoadCalendarYear.Handler.InsertSql",
        "Features.Calendar.PlatformCalendar.YearsSql",
        "Features.Demo.DemoAccounts.SeedDemoAccount.Handler.MfaSql",
        "Features.Demo.DemoData.AnyInstitutionSql",
        "Features.Dispatches.DispatchViewRow.SelectSql",
        "Features.Dispatches.GetDispatch.Handler.ByIdSql",
        "Features.Dispatches.GetDispatch.Handler.ProductSql",
        "Features.Dispatches.ListInbox.Handler.CountSql",
        "Features.Dispatches.ListInbox.Handler.FilterSql",
        "Features.Dispatches.ListInbox.Handler.PageSql",
        "Features.Dispatches.ListStaffAnswers.Handler.AnswersSql",
        "Features.Dispatches.OwnDispatch.OwnSql",
        "Features.Enterprises.EnterpriseRow.SelectSql",
        "Features.Enterprises.GetEnterprise.Handler.ByIdSql",
        "Features.Enterprises.RegisterEnterprise.Handler.FindByCreditCodeSql",
        "Features.Enterprises.RegisterEnterprise.Handler.InsertSql",
        "Features.Enterprises.RegisterEnterprise.Handler.UpdateSql",
        "Features.Enterprises.RegisterEnterprise.Handler.VersionSql",
        "Features.FinancingRequests.GetRequest.Handler.ByIdSql",
        "Features.FinancingRequests.GetRequest.Handler.DispatchesSql",
        "Features.FinancingRequests.GetRequest.Handler.TimelineSql",
        "Features.FinancingRequests.ListRequests.Handler.CountSql",
        "Features.FinancingRequests.ListRequests.Handler.FilterSql",
        "Features.FinancingRequests.ListRequests.Handler.PageSql",
        "Features.FinancingRequests.OwnRequest.OwnSql",
        "Features.FinancingRequests.RequestRow.SelectSql",
        "Features.FinancingRequests.SubmitRequest.Handler.EnterpriseSql",
        "Features.FinancingRequests.SubmitRequest.Handler.FindByKeySql",
        "Features.FinancingRequests.SubmitRequest.Handler.InsertSql",
        "Features.FinancingRequests.SubmitRequest.Handler.LikeOpenSql",
        "Features.FinancingRequests.SubmitRequest.Handler.LinkSql",
        "Features.Institutions.ChangeInstitution.Handler.CurrentSql",
        "Features.Institutions.ChangeInstitution.Handler.ListedSql",
        "Features.Institutions.ChangeInstitution.Handler.UpdateSql",
        "Features.Institutions.DeactivateInstitution.Handler.DeactivateSql",
        "Features.Institutions.DeactivateInstitution.Handler.DelistSql",
        "Features.Institutions.DeactivateInstitution.Handler.ExistsSql",
        "Features.Institutions.DeactivateInstitution.Handler.ListedSql",
        "Features.Institutions.DeactivateInstitution.Handler.OpenDispatchesSql",
        "Features.Institutions.GetInstitution.Handler.ByIdSql",
        "Features.Institutions.GetInstitutionFigures.Handler.AnswerTimesSql",
        "Features.Institutions.GetInstitutionFigures.Handler.RatingsSql",
        "Features.Institutions.GetInstitutionFigures.Handler.SumsSql",
        "Features.Institutions.GetWebhookDelivery.Handler.DeliverySql",
        "Features.Institutions.GetWebhookDelivery.Handler.SelectSql",
        "Features.Institutions.InstitutionWebhook.RemoveSql",
        "Features.Institutions.InstitutionWebhook.ReplaceSecretSql",
        "Features.Institutions.InstitutionWebhook.SetUrlSql",
        "Features.Institutions.InstitutionWebhook.StoredSql",
        "Features.Institutions.ListInstitutions.Handler.CountSql",
        "Features.Institutions.ListInstitutions.Handler.FromSql",
        "Features.Institutions.ListInstitutions.Handler.PageSql",
        "Features.Institutions.ListWebhookDeliveries.Handler.RecentSql",
        "Features.Institutions.RegisterInstitution.Handler.InsertSql",
        "Features.Matching.MatchSubject.EnterpriseSql",
        "Features.Matching.MatchSubject.OpenSql",
        "Features.Matching.MatchSubject.RequestsSql",
        "Features.Matching.MatchSubject.SelectSql",
        "Features.Matching.MatchingIndex.CatalogVersionSql",
        "Features.Matching.MatchingIndex.ChangedProductsSql",
        "Features.Matching.MatchingIndex.ListedProductsSql",
        "Features.Matching.MatchingIndex.TrackRecordsSql",
        "Features.Notifications.CountUnreadNotifications.Handler.UnreadSql",
        "Features.Notifications.DatabaseNotificationChannel.InsertSql",
        "Features.Notifications.DeliverWebhook.Handler.ClaimSql",
        "Features.Notifications.DeliverWebhook.Handler.DeliveredSql",
        "Features.Notifications.DeliverWebhook.Handler.DeliverySql",
        "Features.Notifications.DeliverWebhook.Handler.FailedAttemptSql",
        "Features.Notifications.ListNotifications.Handler.CountSql",
        "Features.Notifications.ListNotifications.Handler.FilterSql",
        "Features.Notifications.ListNotifications.Handler.PageSql",
        "Features.Notifications.ListNotifications.MineSql",
        "Features.Notifications.MarkNotificationRead.Handler.ExistsSql",
        "Features.Notifications.MarkNotificationRead.Handler.MarkSql",
        "Features.Notifications.WebhookDeliveries.InsertSql",
        "Features.Notifications.WebhookNotificationChannel.WebhookSql",
        "Features.Notifications.WebhookSecrets.PlaintextSql",
        "Features.Notifications.WebhookSecrets.ProtectSql",
        "Features.Products.ChangeProduct.Handler.UpdateSql",
        "Features.Products.ChangeProduct.Handler.VersionSql",
        "Features.Products.DelistProduct.Handler.DelistSql",
        "Features.Products.DelistProduct.Handler.StatusSql",
        "Features.Products.GetProduct.Handler.ByIdSql",
        "Features.Products.ListInstitutionProducts.Handler.OwnSql",
        "Features.Products.ListProduct.Handler.InsertSql",
        "Features.Products.PreviewProductTerms.Handler.InstitutionSql",
        "Features.Products.PreviewProductTerms.Handler.ProductSql",
        "Features.Products.ProductRow.SelectSql",
        "Features.Products.ProductStore.BumpCatalogVersionSql",
        "Features.Products.ProductStore.DeleteRegionsSql",
        "Features.Products.ProductStore.InsertRegionSql",
        "Features.Products.ProductStore.InstitutionRegionsSql",
        "Features.Products.ProductStore.StampProductSql",
        "Features.Statistics.FigureSums.DelaysSql",
        "Features.Statistics.FigureSums.InstitutionAnswersSql",
        "Features.Statistics.FigureSums.SelectSql",
        "Features.Statistics.FoldStatistics.Handler.DeltasSql",
        "Features.Statistics.FoldStatistics.Handler.InsertRowSql",
        "Features.Statistics.FoldStatistics.Handler.LockSql",
        "Features.Statistics.FoldStatistics.Handler.RowSql",
        "Features.Statistics.FoldStatistics.Handler.SummedSql",
        "Features.Statistics.FoldStatistics.Handler.UpdateRowSql",
        "Features.Statistics.GetHeadline.Handler.CatalogSql",
        "Features.Statistics.GroupNames.InstitutionNamesSql",
        "Features.Statistics.ListDisputes.Handler.CountSql",
        "Features.Statistics.ListDisputes.Handler.FromSql",
        "Features.Statistics.ListDisputes.Handler.PageSql",
        "Features.Statistics.ListOverdue.Handler.CountSql",
        "Features.Statistics.ListOverdue.Handler.FromSql",
        "Features.Statistics.ListOverdue.Handler.PageSql",
        "Features.Statistics.RequestFigures.AnsweredSql",
        "Features.Statistics.RequestFigures.ApprovedSql",
        "Features.Statistics.RequestFigures.CorrectedSql",
        "Features.Statistics.RequestFigures.DisputedSql",
        "Features.Statistics.RequestFigures.ExpiredSql",
        "Features.Statistics.RequestFigures.LoanHistorySql",
        "Features.Statistics.RequestFigures.SettledSql",
        "Features.Statistics.RequestFigures.SubmittedSql",
        "Features.Statistics.RequestFigures.UnansweredSql",
        "Features.Statistics.Rollup.DeltaDelaysSql",
        "Features.Statistics.Rollup.GroupsSql",
        "Features.Statistics.Rollup.HistogramsSql",
        "Features.Statistics.Rollup.RowsAndDeltasSql",
        "Features.Statistics.SetTarget.Handler.InsertSql",
        "Features.Statistics.SetTarget.Handler.UpdateSql",
        "Features.Statistics.StatisticsScope.WhereSql",
        "Features.Statistics.Targets.ForYearSql",
        "Features.Workflow.DispatchRequest.Handler.RequestSql",
        "Features.Workflow.DispatchRequest.Handler.DispatchedSql",
        "Features.Workflow.DispatchRequest.Handler.InsertDispatchSql",
        "Features.Workflow.DispatchRequest.Handler.RankingSql",
        "Features.Workflow.EscalateDispatch.Handler.DueSql",
        "Features.Workflow.PublishRequest.Handler.InsertMatchSql",
        "Features.Workflow.RequestTimeline.AppendSql",
        "Features.Workflow.SuperviseDeadlines.Handler.DueDispatchesSql",
        "Features.Workflow.SuperviseDeadlines.Handler.DueWebhooksSql",
        "Features.Workflow.SuperviseDeadlines.Handler.StalledSql",
        "Features.Workflow.WorkflowSteps.OpenDispatchesSql",
        "Infrastructure.Database.DatabaseHealthCheck.PingSql",
        "Infrastructure.Database.DatabaseKeyRing.AllSql",
        "Infrastructure.Database.DatabaseKeyRing.InsertSql",
        "Infrastructure.UnitOfWork.AuditTrail.HeadSql",
        "Infrastructure.UnitOfWork.AuditTrail.QueueSql",
        "Infrastructure.UnitOfWork.UnitOfWork.RecordSql",
    ];

    [Test]
    public void Each_api_sql_constant_is_found_by_name()
    {
        var found = ApiSql().Select(sql => sql.Name).ToArray();
        var missing = ExpectedSqlConstants.Except(found).ToArray();
        var unlisted = found.Except(ExpectedSqlConstants).ToArray();
        if (missing.Length > 0 || unlisted.Length > 0)
            Assert.Fail($"Not found: {string.Join(", ", missing)}. Found but not listed: {string.Join(", ", unlisted)}.{Environment.NewLine}" +
                        $"The list as found:{Environment.NewLine}{string.Join(Environment.NewLine, found.Select(name => $"        \"{name}\","))}");
        ApiSql().ShouldContain(sql => sql.Wrapped != null, "the paged queries are also parsed as the dialect wraps them");
    }

    [Test]
    public void The_SqlServer_dialect_pages_and_limits_in_valid_TSql()
    {
        const string orderedSelect = "SELECT id, name FROM products WHERE status = @Listed ORDER BY min_rate, id";
        ShouldBeValidTSql(SqlServer.Page(orderedSelect), "Page");
        ShouldBeValidTSql(SqlServer.Top(orderedSelect), "Top");
        SqlServer.Page(orderedSelect).ShouldContain("@Skip");
        SqlServer.Page(orderedSelect).ShouldContain("@Take");
        SqlServer.Top(orderedSelect).ShouldContain("@Take");
    }

    [Test]
    public void The_SqlServer_dialect_locks_the_rows_a_claim_reads()
    {
        const string select = "SELECT region_code FROM financing_requests WHERE id = @Id AND status IN ('published', 'dispatched')";
        ShouldBeValidTSql(SqlServer.Locked(select), "Locked");
        SqlServer.Locked(select).ShouldContain("FROM financing_requests WITH (UPDLOCK, ROWLOCK) WHERE");
        Should.Throw<ArgumentException>(() => SqlServer.Locked("SELECT 1"));
        SqlDialect.For(DatabaseProvider.PostgreSql).Locked(select).ShouldEndWith(" FOR UPDATE");
    }

    // ------------------------------------------------------------------ the check itself is strict enough

    [TestCase("SELECT id FROM products ORDER BY id LIMIT 5", TestName = "{m}(LIMIT)")]
    [TestCase("SELECT id FROM products ORDER BY id LIMIT @Take OFFSET @Skip", TestName = "{m}(LIMIT OFFSET)")]
    [TestCase("INSERT INTO catalog_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", TestName = "{m}(ON CONFLICT)")]
    [TestCase("INSERT INTO institutions (id, name) VALUES (@Id, @Name) RETURNING id", TestName = "{m}(RETURNING)")]
    [TestCase("SELECT amount::numeric FROM financing_requests", TestName = "{m}(cast with ::)")]
    [TestCase("SELECT name FROM products WHERE name ILIKE @Q", TestName = "{m}(ILIKE)")]
    [TestCase("SELECT 'a' || name FROM products", TestName = "{m}(|| concatenation)")]
    [TestCase("SELECT id FROM products WHERE first_loan_friendly = true", TestName = "{m}(boolean literal)")]
    [TestCase("SELECT LENGTH(name) FROM products", TestName = "{m}(LENGTH)")]
    [TestCase("SELECT id FROM request_events WHERE at < NOW()", TestName = "{m}(NOW)")]
    [TestCase("SELECT IFNULL(description, '') FROM products", TestName = "{m}(IFNULL)")]
    [TestCase("SELECT id FROM products WHERE", TestName = "{m}(truncated statement)")]
    [TestCase("SELECT id FROM products OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY", TestName = "{m}(paging without ORDER BY)")]
    [TestCase("SELECT x.id FROM (SELECT id FROM products ORDER BY min_rate) x", TestName = "{m}(ORDER BY in a derived table)")]
    [TestCase("SELECT id FROM products WHERE id IN (SELECT product_id FROM product_regions ORDER BY region_prefix)", TestName = "{m}(ORDER BY in a subquery)")]
    [TestCase("WITH cheap AS (SELECT id FROM products ORDER BY min_rate) SELECT id FROM cheap", TestName = "{m}(ORDER BY in a CTE)")]
    public void Sql_that_SQL_Server_would_refuse_fails_the_check(string sql) => TSqlProblems(sql).ShouldNotBeEmpty();

    [Test]
    public void Fragments_are_checked_inside_a_statement()
    {
        TSqlProblems(AsStatement(" WHERE p.kind = @Kind")).ShouldBeEmpty();
        TSqlProblems(AsStatement(" AND p.kind = @Kind")).ShouldBeEmpty();
        TSqlProblems(AsStatement(" WHERE p.kind = @Kind LIMIT 5")).ShouldNotBeEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A script as DbUp runs it for the dialect's provider: its $tokens$ replaced by the dialect's spellings.</summary>
    private static string Rendered(string script, SqlDialect dialect) =>
        new VariableSubstitutionPreprocessor(dialect.MigrationVariables()).Process(script);

    private static string[] FilesIn(string folder) =>
        Directory.EnumerateFiles(folder).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToArray();

    private sealed record ApiSqlConstant(string Name, string Text, string? Wrapped);

    private static IEnumerable<ApiSqlConstant> ApiSql()
    {
        var paged = IdentifiersPassedTo("Page");
        var limited = IdentifiersPassedTo("Top");
        var locked = IdentifiersPassedTo("Locked");
        return typeof(SqlDialect).Assembly.GetTypes()
            .SelectMany(type => type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(field => field.IsLiteral && field.FieldType == typeof(string) && field.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(field =>
                {
                    var sql = (string)field.GetRawConstantValue()!;
                    var wrapped = field.Name.Contains("Page", StringComparison.Ordinal) || paged.Contains(field.Name) ? SqlServer.Page(sql)
                        : limited.Contains(field.Name) ? SqlServer.Top(sql)
                        : locked.Contains(field.Name) ? SqlServer.Locked(sql)
                        : null;
                    return new ApiSqlConstant($"{NameOf(type)}.{field.Name}", sql, wrapped);
                }))
            .OrderBy(sql => sql.Name, StringComparer.Ordinal);
    }

    /// <summary>The constants that the API's source hands to <c>Dialect.Page(…)</c>, <c>Dialect.Top(…)</c> or <c>Dialect.Locked(…)</c>.</summary>
    private static HashSet<string> IdentifiersPassedTo(string dialectMethod)
    {
        var call = new Regex($@"\.{dialectMethod}\(\s*(?:[A-Za-z_][\w.]*\.)?([A-Za-z_]\w*Sql)\s*\)");
        return Directory.EnumerateFiles(Path.Combine(RepoRoot, "src", "FinanceSupermarket.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => call.Matches(File.ReadAllText(path)).Select(match => match.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string NameOf(Type type) =>
        (type.FullName ?? type.Name).Replace("FinanceSupermarket.Api.", "", StringComparison.Ordinal).Replace('+', '.');

    private static readonly Regex TableClause = new(@"^\s*(WHERE|ORDER\s+BY|GROUP\s+BY|HAVING|((LEFT|RIGHT|FULL)(\s+OUTER)?|INNER|CROSS)?\s*JOIN)\b",
        RegexOptions.IgnoreCase);
    private static readonly Regex FromClause = new(@"^\s*FROM\b", RegexOptions.IgnoreCase);
    private static readonly Regex Condition = new(@"^\s*(AND|OR)\b", RegexOptions.IgnoreCase);

    /// <summary>A shared clause (a handler's FROM … or WHERE … part) is parsed where it is used: after a SELECT, a FROM, or inside a WHERE.</summary>
    private static string AsStatement(string sql) =>
        FromClause.IsMatch(sql) ? $"SELECT 1 {sql}"
        : TableClause.IsMatch(sql) ? $"SELECT 1 FROM fragment_host {sql}"
        : Condition.IsMatch(sql) ? $"SELECT 1 FROM fragment_host WHERE 1 = 1 {sql}"
        : sql;

    private static void ShouldBeValidTSql(string sql, string what)
    {
        var problems = TSqlProblems(sql);
        if (problems.Count > 0)
            Assert.Fail($"Not valid T-SQL ({what}):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}{Environment.NewLine}--- SQL ---{Environment.NewLine}{sql}");
    }

    private static List<string> TSqlProblems(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        var problems = errors.Select(error => $"line {error.Line}, column {error.Column}: {error.Message}").ToList();
        if (problems.Count > 0) return problems;
        var portability = new NotTSqlFinder();
        fragment.Accept(portability);
        return portability.Problems;
    }

    /// <summary>
    /// What the parser accepts but SQL Server 2022 would not run: SQLite/PostgreSQL functions (parsed as unknown functions),
    /// boolean literals (parsed as a column named true), PostgreSQL's <c>x::type</c> casts (parsed as CLR type members),
    /// <c>||</c> concatenation (parsed for SQL Server 2025 and Azure SQL only) and ORDER BY inside a subquery, derived
    /// table or CTE without TOP/OFFSET (SQLite and PostgreSQL allow it; SQL Server refuses it with error 1033).
    /// </summary>
    private sealed class NotTSqlFinder : TSqlFragmentVisitor
    {
        private static readonly Dictionary<string, string> Functions = new(StringComparer.OrdinalIgnoreCase)
        {
            ["NOW"] = "SYSUTCDATETIME() or a parameter", ["LENGTH"] = "LEN", ["SUBSTR"] = "SUBSTRING", ["IFNULL"] = "COALESCE",
            ["INSTR"] = "CHARINDEX", ["GROUP_CONCAT"] = "STRING_AGG", ["ARRAY_AGG"] = "STRING_AGG", ["RANDOM"] = "NEWID()",
            ["STRFTIME"] = "a parameter", ["JULIANDAY"] = "a parameter", ["DATETIME"] = "a parameter", ["DATE"] = "CAST(… AS DATE)",
            ["UNIXEPOCH"] = "a parameter", ["TO_CHAR"] = "FORMAT", ["TO_DATE"] = "CAST", ["DATE_TRUNC"] = "the dialect",
            ["DATE_PART"] = "DATEPART", ["PRINTF"] = "FORMAT", ["TOTAL"] = "SUM",
        };

        public List<string> Problems { get; } = [];

        public override void ExplicitVisit(FunctionCall node)
        {
            if (node.CallTarget is null && Functions.TryGetValue(node.FunctionName.Value, out var instead))
                Problems.Add($"line {node.StartLine}: {node.FunctionName.Value}() is not a SQL Server function (use {instead})");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(UserDefinedTypePropertyAccess node)
        {
            Problems.Add($"line {node.StartLine}: '::' is a PostgreSQL cast here (use CAST(… AS …))");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(UserDefinedTypeCallTarget node)
        {
            Problems.Add($"line {node.StartLine}: '::' is a PostgreSQL cast here (use CAST(… AS …))");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(BinaryExpression node)
        {
            if (node.BinaryExpressionType == BinaryExpressionType.Concat)
                Problems.Add($"line {node.StartLine}: '||' concatenation needs SQL Server 2025 (use the dialect, or concatenate in C#)");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(ScalarSubquery node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(QueryDerivedTable node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(CommonTableExpression node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        private void CheckNestedOrderBy(QueryExpression query)
        {
            var top = (query as QuerySpecification)?.TopRowFilter;
            if (query.OrderByClause is not null && query.OffsetClause is null && top is null)
                Problems.Add($"line {query.StartLine}: ORDER BY in a subquery, derived table or CTE needs TOP or OFFSET on SQL Server");
        }

        public override void ExplicitVisit(ColumnReferenceExpression node)
        {
            if (node.MultiPartIdentifier?.Identifiers is [{ QuoteType: QuoteType.NotQuoted } identifier]
                && identifier.Value.ToLowerInvariant() is "true" or "false")
                Problems.Add($"line {node.StartLine}: SQL Server has no boolean literal {identifier.Value} (pass a parameter, or 1/0)");
            base.ExplicitVisit(node);
        }
    }

    private static string FindRepoRoot()
    {
        var start = TestContext.CurrentContext?.TestDirectory ?? AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FinanceSupermarket.sln"))) return dir.FullName;
        throw new InvalidOperationException($"FinanceSupermarket.sln not found above {start}.");
    }
}
