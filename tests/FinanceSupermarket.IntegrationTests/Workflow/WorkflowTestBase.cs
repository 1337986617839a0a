using System.Net;
using System.Text.Json.Nodes;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Workflow;

/// <summary>A host whose background jobs the test runs when it means them to run, with helpers to follow a request through the workflow.</summary>
public abstract class WorkflowTestBase(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Workflow:InstitutionsPerRequest"] = "2",
        ["Workflow:RedriveAfter"] = "00:00:00",
        // The institutions' systems of these tests are receivers on this machine, over plain http.
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:AllowedPrivateNetworks:0"] = "127.0.0.0/8",
    };

    protected async Task<string> RegisterInstitutionAsync(string region, string name, string? webhookUrl = null)
    {
        var body = InstitutionBody(region);
        body["name"] = name;
        if (webhookUrl is not null)
        {
            body["webhookUrl"] = webhookUrl;
            body["webhookSecret"] = WebhookSecret;
        }
        var response = await Admin.PostJsonAsync("/api/v1/institutions", body).ShouldBe(HttpStatusCode.Created);
        return (string)(await response.ReadJsonAsync())["id"]!;
    }

    protected const string WebhookSecret = "whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQtMjAyNiE=";

    protected async Task<JsonNode> ReadRequestAsync(string enterpriseId, string requestId) =>
        await (await EnterpriseClient(enterpriseId).GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

    /// <summary>Runs the due background jobs, then reads the request, which they must have moved to the given status.</summary>
    protected async Task<JsonNode> ReadOnceJobsRanAsync(string enterpriseId, string requestId, string status)
    {
        await Host.RunDueJobsAsync();
        var request = await ReadRequestAsync(enterpriseId, requestId);
        ((string)request["status"]!).ShouldBe(status, $"request {requestId}; the server's warnings are in {TestLoggerProvider.LogFile}");
        return request;
    }

    protected static string[] Events(JsonNode request) => [.. request["timeline"]!.AsArray().Select(entry => (string)entry!["event"]!)];

    protected static JsonNode DispatchOf(JsonNode request, string institutionId) =>
        request["dispatches"]!.AsArray().Single(dispatch => (string)dispatch!["institutionId"]! == institutionId)!;

    /// <summary>Runs the supervisor now, as its every-minute schedule would.</summary>
    protected async Task<SuperviseDeadlines.Report> SuperviseAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SuperviseDeadlines());
    }

    protected async Task<JsonNode> NotificationsAsync(HttpClient client) =>
        await (await client.GetAsync("/api/v1/notifications?pageSize=100").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();

    protected static string[] NotificationEvents(JsonNode notifications) =>
        [.. notifications["items"]!.AsArray().Select(item => (string)item!["event"]!)];
}
