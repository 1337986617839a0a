using System.Collections.Concurrent;
using System.Net;
using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FinanceSupermarket.IntegrationTests.Notifications;

/// <summary>
/// A host as deployed (no test switches): a webhook must be https and must not lead into the platform's own networks,
/// by its address or by what its name resolves to — when it is set, and again when a delivery connects.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class WebhookAddressTests(string provider) : ApiTestBase(provider)
{
    /// <summary>Names this fixture makes resolve: each to the answers listed, one per lookup, the last one for good.</summary>
    private readonly ScriptedResolver _names = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(_names));

    [TestCase("https://127.0.0.1/hooks")]
    [TestCase("https://169.254.169.254/latest/meta-data/")]
    [TestCase("https://[::1]/hooks")]
    [TestCase("https://localhost/hooks")]
    [TestCase("https://metadata.internal.test/computeMetadata/v1/")]   // a name for 169.254.169.254
    [TestCase("https://intranet.bank.test/hooks")]                     // a name for 203.0.113.7 and 10.20.30.40
    [TestCase("http://bank.example.com/hooks")]
    public async Task A_webhook_into_a_private_network_or_over_plain_http_is_refused_naming_webhookUrl_wherever_it_is_set(string url)
    {
        var bank = await RegisterInstitutionAsync("33");
        var registration = InstitutionBody("33");
        (registration["webhookUrl"], registration["webhookSecret"]) = (url, WebhookSignature.NewSecret());
        var before = await CountAsync("institutions");

        var refusals = new[]
        {
            await Admin.PostJsonAsync("/api/v1/institutions", registration).ShouldBe(HttpStatusCode.BadRequest),
            await Admin.PutJsonAsync($"/api/v1/institutions/{bank}", registration).ShouldBe(HttpStatusCode.BadRequest),
            await InstitutionClient(bank).PutJsonAsync($"/api/v1/institutions/{bank}/webhook", new { webhookUrl = url }).ShouldBe(HttpStatusCode.BadRequest),
        };

        foreach (var refusal in refusals)
            (await refusal.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["webhookUrl"]);
        (await CountAsync("institutions")).ShouldBe(before);
        ((string?)(await (await InstitutionClient(bank).GetAsync($"/api/v1/institutions/{bank}/webhook").ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["webhookUrl"])
            .ShouldBeNull();
    }

    [Test]
    public async Task A_name_that_resolved_to_the_internet_when_set_and_to_loopback_at_delivery_reaches_nothing()
    {
        // DNS rebinding: the name passes the check when the webhook is set, then answers with a loopback address.
        _names.Script("rebind.bank.test", [IPAddress.Parse("203.0.113.10")], [IPAddress.Loopback]);
        var bank = await RegisterInstitutionAsync("33");
        await InstitutionClient(bank).PutJsonAsync($"/api/v1/institutions/{bank}/webhook", new { webhookUrl = "https://rebind.bank.test/hooks" })
            .ShouldBe(HttpStatusCode.OK);

        var sent = await (await InstitutionClient(bank).PostJsonAsync($"/api/v1/institutions/{bank}/webhook/test", new { })
            .ShouldBe(HttpStatusCode.Accepted)).ReadJsonAsync();
        await Host.RunDueJobsAsync();

        var delivery = await (await InstitutionClient(bank).GetAsync($"/api/v1/institutions/{bank}/webhook/deliveries/{(string)sent["deliveryId"]!}")
            .ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)delivery["status"]!).ShouldBe("pending");   // failed, retried on its schedule
        ((int)delivery["attempts"]!).ShouldBe(1);
        delivery["lastStatusCode"].ShouldBeNull();
        ((string)delivery["lastError"]!).ShouldBe("Refused to connect: rebind.bank.test resolves to 127.0.0.1, a loopback address.");
    }

    [Test]
    public async Task A_webhook_stored_pointing_at_loopback_is_refused_again_at_delivery()
    {
        // As if set before these rules, or written past them: delivery checks the address itself.
        var bank = await RegisterInstitutionAsync("33");
        await InstitutionClient(bank).PutJsonAsync($"/api/v1/institutions/{bank}/webhook", new { webhookUrl = "https://bank.example.com/hooks" })
            .ShouldBe(HttpStatusCode.OK);
        await using (var connection = await Host.Service<Db>().OpenAsync())
            await connection.ExecuteAsync("UPDATE institutions SET webhook_url = 'https://[::1]:9/hooks' WHERE id = @Id", new { Id = bank });
        var deliveryId = (string)(await (await InstitutionClient(bank).PostJsonAsync($"/api/v1/institutions/{bank}/webhook/test", new { })).ReadJsonAsync())["deliveryId"]!;

        await using var scope = Host.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new DeliverWebhook(deliveryId))).ShouldBeFalse();

        var delivery = await (await InstitutionClient(bank).GetAsync($"/api/v1/institutions/{bank}/webhook/deliveries/{deliveryId}")).ReadJsonAsync();
        ((string)delivery["lastError"]!).ShouldBe("Must not point into a private network: ::1 is a loopback address.");
    }

    /// <summary>Answers lookups from a script (one answer per lookup, the last one for good); localhost as the machine does; no other name resolves.</summary>
    private sealed class ScriptedResolver : IWebhookHostResolver
    {
        private readonly ConcurrentDictionary<string, ConcurrentQueue<IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase)
        {
            ["metadata.internal.test"] = new([[IPAddress.Parse("169.254.169.254")]]),
            // A public address and a private one: the private one is enough to refuse it.
            ["intranet.bank.test"] = new([[IPAddress.Parse("203.0.113.7"), IPAddress.Parse("10.20.30.40")]]),
        };

        public void Script(string host, params IPAddress[][] answers) => _answers[host] = new(answers);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            if (host == "localhost") return Dns.GetHostAddressesAsync(host, cancellationToken);
            if (!_answers.TryGetValue(host, out var answers)) throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
            return Task.FromResult(answers.Count > 1 && answers.TryDequeue(out var next) ? next : answers.Single());
        }
    }
}
