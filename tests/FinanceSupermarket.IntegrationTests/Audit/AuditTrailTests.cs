using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Audit;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Audit;

/// <summary>
/// The tamper-evident audit trail (日志完整性保护, seeds/002 task 7): every recorded event is chained; an entry edited in the
/// database is named by the admin endpoint and by <c>cli verify-audit</c>; the signed daily checkpoint catches a chain
/// rewritten consistently; the audit tables refuse UPDATE and DELETE.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class AuditTrailTests(string provider) : ApiTestBase(provider)
{
    private const string CheckpointKeyText = "audit-checkpoint-key-of-the-tests-0123456789";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Audit:CheckpointKey"] = CheckpointKeyText };

    [Test]
    public async Task Every_timeline_step_change_and_security_event_is_an_entry_of_a_chain_that_verifies()
    {
        var institution = await RegisterInstitutionAsync("330421");
        await ListProductAsync(institution);
        var enterprise = await RegisterEnterpriseAsync();
        var request = await SubmitRequestAsync(enterprise);
        await Host.RunDueJobsAsync();
        var login = People.NewLogin("audited");
        await Host.SignUpAsync(login);
        await Host.TrySignInAsync(login, "a-wrong-password-123").ShouldBe(Unauthorized);

        // Committed entries wait in the queue until the seal job (asked for by each commit) chains them.
        var waiting = await VerifyAsync();
        ((long)waiting["queued"]!).ShouldBeGreaterThan(0);
        ((bool)waiting["verified"]!).ShouldBeTrue(waiting.ToJsonString());
        await Host.RunDueJobsAsync();

        // The chain holds one entry for each row of the three logs, in one gap-free order.
        (await ChainCountAsync(AuditTrail.Timeline)).ShouldBe(await CountAsync("request_events"));
        (await ChainCountAsync(AuditTrail.Change)).ShouldBe(await CountAsync("audit_log"));
        (await ChainCountAsync(AuditTrail.Security)).ShouldBe(await CountAsync("security_events"));
        await using (var connection = await OpenAsync())
        {
            var events = (await connection.QueryAsync<string>(
                "SELECT action FROM audit_chain WHERE subject = 'financing_request' AND subject_id = @Request ORDER BY seq", new { Request = request })).ToArray();
            events[0].ShouldBe("submitted");
            events.ShouldContain("published");
            (await connection.ExecuteScalarAsync<long>("SELECT MAX(seq) FROM audit_chain")).ShouldBe(await CountAsync("audit_chain"));
        }

        var verification = await VerifyAsync();
        ((bool)verification["verified"]!).ShouldBeTrue(verification.ToJsonString());
        ((long)verification["entries"]!).ShouldBe(await CountAsync("audit_chain"));
        ((long)verification["queued"]!).ShouldBe(0);
        verification["firstBroken"].ShouldBeNull();
    }

    [Test]
    public async Task Writers_and_sealers_at_the_same_time_give_each_entry_the_next_place_in_the_chain()
    {
        var institution = await RegisterInstitutionAsync("330421");
        var client = InstitutionClient(institution);

        // Sealers on several nodes at once, in small batches, among the writers: they take turns on the chain head.
        var writers = Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(Created)));
        var sealers = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var scope = Host.Services.CreateAsyncScope();
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            while (!writers.IsCompleted) await mediator.Send(new SealAuditTrail(BatchSize: 2));
        })));
        await Task.WhenAll(writers, sealers);
        await Host.RunDueJobsAsync();

        var verification = await VerifyAsync();
        ((bool)verification["verified"]!).ShouldBeTrue(verification.ToJsonString());
        ((long)verification["queued"]!).ShouldBe(0);
        ((long)verification["entries"]!).ShouldBe(await CountAsync("audit_chain"));
        (await ChainCountAsync(AuditTrail.Change)).ShouldBe(await CountAsync("audit_log"));
    }

    [Test]
    public async Task An_entry_edited_in_the_database_is_named_by_the_admin_endpoint_and_by_cli_verify_audit()
    {
        var enterprise = await RegisterEnterpriseAsync();
        var request = await SubmitRequestAsync(enterprise);
        await Host.RunDueJobsAsync();
        var (seq, content) = await SingleAsync<(long, string)>(
            "SELECT seq, content FROM audit_chain WHERE subject_id = @Request AND action = 'submitted'", new { Request = request });

        await BypassingTheAppendOnlyTriggerAsync("UPDATE audit_chain SET content = @Content WHERE seq = @Seq",
            new { Seq = seq, Content = content.Replace("}", ",\"detail\":\"金额已改\"}", StringComparison.Ordinal) });
        try
        {
            var verification = await VerifyAsync();
            ((bool)verification["verified"]!).ShouldBeFalse();
            ((long)verification["firstBroken"]!["seq"]!).ShouldBe(seq);
            ((string)verification["firstBroken"]!["subjectId"]!).ShouldBe(request);
            ((long)verification["entries"]!).ShouldBe(seq - 1);

            var cli = await VerifyAuditCliAsync();
            cli.ExitCode.ShouldBe(VerifyAuditCommandNotVerified, cli.Errors);
            cli.Output.ShouldContain($"entry {seq} does not verify");
        }
        finally
        {
            await BypassingTheAppendOnlyTriggerAsync("UPDATE audit_chain SET content = @Content WHERE seq = @Seq", new { Seq = seq, Content = content });
        }
        ((bool)(await VerifyAsync())["verified"]!).ShouldBeTrue();
        var clean = await VerifyAuditCliAsync();
        clean.ExitCode.ShouldBe(0, clean.Output + clean.Errors);
        clean.Output.ShouldContain("verified");
    }

    [Test]
    public async Task The_daily_checkpoint_signs_the_chain_head_and_an_exported_one_catches_a_chain_rewritten_consistently()
    {
        await RegisterInstitutionAsync("330421");
        await RunDailyCheckpointAsync();

        var export = await (await Admin.GetAsync("/api/v1/admin/audit/checkpoints").ShouldBe(OK)).ReadJsonAsync();
        var checkpoint = export["items"]!.AsArray().Last()!;
        var (headSeq, headHash) = await SingleAsync<(long, string)>("SELECT seq, hash FROM audit_chain_head WHERE id = 1");
        ((long)checkpoint["seq"]!).ShouldBe(headSeq);
        ((string)checkpoint["hash"]!).ShouldBe(headHash);
        // README's recipe: HMAC-SHA256 with the checkpoint key over "finance-supermarket audit checkpoint v1\n<seq>\n<hash>\n<at>".
        var at = ((DateTimeOffset)checkpoint["at"]!).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        ((string)checkpoint["signature"]!).ShouldBe(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(CheckpointKeyText),
            Encoding.UTF8.GetBytes($"finance-supermarket audit checkpoint v1\n{headSeq}\n{headHash}\n{at}"))));
        var file = Path.Combine(Path.GetTempPath(), $"checkpoints-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, export.ToJsonString());

        // Whoever rewrites the last entry and its hash, and moves the head along, leaves a chain that links up again.
        var last = await SingleAsync<ChainedEntry>(
            "SELECT seq, at, source, subject, subject_id AS SubjectId, action, content, prev_hash AS PrevHash, hash FROM audit_chain WHERE seq = @Seq", new { Seq = headSeq });
        var forged = last with { Content = last.Content.Replace("}", ",\"detail\":\"改写\"}", StringComparison.Ordinal) };
        forged = forged with { Hash = AuditTrail.Hash(forged) };
        await RewriteAsync(forged);
        try
        {
            var verification = await VerifyAsync();
            verification["firstBroken"].ShouldBeNull();
            ((bool)verification["verified"]!).ShouldBeFalse();
            ((string)verification["checkpointProblems"]![0]!["problem"]!).ShouldContain("no longer has the hash");

            var cli = await VerifyAuditCliAsync("--checkpoints", file);
            cli.ExitCode.ShouldBe(VerifyAuditCommandNotVerified, cli.Errors);
            cli.Output.ShouldContain($"at entry {headSeq} does not verify");
        }
        finally
        {
            await RewriteAsync(last);
            File.Delete(file);
        }
        ((bool)(await VerifyAsync())["verified"]!).ShouldBeTrue();
    }

    [Test]
    public async Task The_audit_tables_refuse_update_and_delete()
    {
        // A row in each table: a row trigger fires only for rows there are.
        await RegisterInstitutionAsync("330421");
        await Host.SignUpAsync(People.NewLogin("refused"));
        await RunDailyCheckpointAsync();
        await using var connection = await OpenAsync();
        foreach (var statement in new[]
                 {
                     "UPDATE audit_chain SET action = 'x'", "DELETE FROM audit_chain", "UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log",
                     "DELETE FROM security_events", "DELETE FROM audit_checkpoints",
                 })
            (await Should.ThrowAsync<DbException>(() => connection.ExecuteAsync(statement))).Message.ShouldContain("append-only");
        if (Provider == Providers.PostgreSql)
            (await Should.ThrowAsync<DbException>(() => connection.ExecuteAsync("TRUNCATE audit_chain"))).Message.ShouldContain("append-only");
        ((bool)(await VerifyAsync())["verified"]!).ShouldBeTrue();
    }

    [Test]
    public async Task Only_an_admin_verifies_or_exports()
    {
        await Anonymous.GetAsync("/api/v1/admin/audit/verify").ShouldBe(Unauthorized);
        await RegulatorClient("33").GetAsync("/api/v1/admin/audit/checkpoints").ShouldBe(Forbidden);
    }

    private const int VerifyAuditCommandNotVerified = 3;

    [Test]
    public async Task Entries_whose_seal_job_was_lost_are_chained_by_the_minutely_sweep()
    {
        // The commit asked for a seal job, which nobody runs here: as if the node holding it had died.
        await RegisterInstitutionAsync("330421");
        ((long)(await VerifyAsync())["queued"]!).ShouldBeGreaterThan(0);

        (await RunRecurringAsync(AuditModule.SealJobId)).Cron.ShouldBe("* * * * *");

        var verification = await VerifyAsync();
        ((long)verification["queued"]!).ShouldBe(0);
        ((bool)verification["verified"]!).ShouldBeTrue(verification.ToJsonString());
    }

    private async Task RunDailyCheckpointAsync()
    {
        var recurring = await RunRecurringAsync(AuditModule.CheckpointJobId);
        recurring.Cron.ShouldBe("5 0 * * *");
        recurring.TimeZoneId.ShouldBe("Asia/Shanghai");
    }

    /// <summary>
    /// A recurring job as the host registered it, performed now in a scope of its own as a Hangfire worker would (the test
    /// hosts run no job server, and a recurring job is not due on the queue the tests drain).
    /// </summary>
    private async Task<RecurringJobDto> RunRecurringAsync(string id)
    {
        using var storage = Host.Service<JobStorage>().GetConnection();
        var recurring = storage.GetRecurringJobs().Single(job => job.Id == id);
        await using var scope = Host.Services.CreateAsyncScope();
        await (Task)recurring.Job.Method.Invoke(ActivatorUtilities.CreateInstance(scope.ServiceProvider, recurring.Job.Type), [])!;
        return recurring;
    }

    private async Task<JsonNode> VerifyAsync() => await (await Admin.GetAsync("/api/v1/admin/audit/verify").ShouldBe(OK)).ReadJsonAsync();

    private Task<Cli.Run> VerifyAuditCliAsync(params string[] args) =>
        Cli.RunAsync(new Dictionary<string, string> { ["Audit__CheckpointKey"] = CheckpointKeyText },
            ["verify-audit", "--provider", Provider, "--connection-string", Host.Service<Db>().ConnectionString, .. args]);

    private async Task<long> ChainCountAsync(string source)
    {
        await using var connection = await OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_chain WHERE source = @Source", new { Source = source });
    }

    private async Task<T> SingleAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        return await connection.QuerySingleAsync<T>(sql, parameters);
    }

    private Task<DbConnection> OpenAsync() => Host.Service<Db>().OpenAsync();

    private Task RewriteAsync(ChainedEntry entry) => BypassingTheAppendOnlyTriggerAsync(
        "UPDATE audit_chain SET content = @Content, hash = @Hash WHERE seq = @Seq; UPDATE audit_chain_head SET hash = @Hash WHERE id = 1", entry);

    /// <summary>What someone with the database owner's rights could do: switch the append-only triggers off, write, switch them on.</summary>
    private async Task BypassingTheAppendOnlyTriggerAsync(string sql, object parameters)
    {
        await using var connection = await OpenAsync();
        if (Provider == Providers.PostgreSql)
        {
            await connection.ExecuteAsync("ALTER TABLE audit_chain DISABLE TRIGGER audit_chain_append_only");
            await connection.ExecuteAsync(sql, parameters);
            await connection.ExecuteAsync("ALTER TABLE audit_chain ENABLE TRIGGER audit_chain_append_only");
        }
        else
        {
            await connection.ExecuteAsync("DROP TRIGGER audit_chain_no_update");
            await connection.ExecuteAsync(sql, parameters);
            await connection.ExecuteAsync(
                "CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END");
        }
    }
}
