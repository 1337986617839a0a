using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using FinanceSupermarket.Api.Features.Audit;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>
/// <c>verify-audit [--checkpoints FILE]</c>: re-walks the audit trail (as GET /api/v1/admin/audit/verify does) and checks
/// its stored checkpoints, plus those of a file an admin exported from GET /api/v1/admin/audit/checkpoints. Exit code 0
/// when everything verifies, <see cref="NotVerified"/> when not, naming the first entry that does not verify. Writes nothing.
/// </summary>
public sealed class VerifyAuditCommand : Command
{
    public const int NotVerified = 3;

    private readonly Option<FileInfo> _checkpoints = new("--checkpoints")
    {
        Description = "A checkpoint export (the JSON of GET /api/v1/admin/audit/checkpoints) kept away from the platform, to check against the chain.",
    };

    public VerifyAuditCommand() : base("verify-audit", "Verify the hash-chained audit trail and its signed checkpoints.")
    {
        Options.Add(_checkpoints);
        SetAction(async (parse, cancellationToken) =>
        {
            var exported = parse.GetValue(_checkpoints) is { } file ? ReadExport(file) : [];
            using var host = ApiHost.Build(parse);
            await using var scope = host.Services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new VerifyAuditTrail(exported), cancellationToken);

            var provider = host.Services.GetRequiredService<DatabaseOptions>().Provider;
            Console.WriteLine($"{provider}: {result.Entries} of {result.HeadSeq} entries verified; head {result.HeadHash}; {result.CheckpointsChecked} checkpoints checked.");
            if (result.FirstBroken is { } broken)
                Console.WriteLine($"entry {broken.Seq} does not verify: {broken.Problem}" +
                                  (broken.At is { } at ? $" ({broken.Source} {broken.Action} of {broken.Subject} {broken.SubjectId} at {at:O})" : ""));
            foreach (var problem in result.CheckpointProblems)
                Console.WriteLine($"checkpoint of {problem.At:O} at entry {problem.Seq} does not verify: {problem.Problem}");
            Console.WriteLine(result.Verified ? "verified" : "NOT VERIFIED");
            return result.Verified ? 0 : NotVerified;
        });
    }

    /// <summary>The export as the API answers it (<c>{"items": […], "total": n}</c>) or its items alone.</summary>
    private static IReadOnlyList<AuditCheckpoint> ReadExport(FileInfo file)
    {
        var json = JsonNode.Parse(File.ReadAllText(file.FullName));
        var items = json is JsonObject export ? export["items"] : json;
        return items.Deserialize<AuditCheckpoint[]>(new JsonSerializerOptions(JsonSerializerDefaults.Web))
               ?? throw new InvalidOperationException($"{file.Name} holds no checkpoints.");
    }
}
