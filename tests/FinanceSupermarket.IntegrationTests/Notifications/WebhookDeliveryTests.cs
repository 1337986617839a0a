using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.IntegrationTests.Notifications;

/// <summary>
/// An institution manages its own webhook — URL, secret, a test event — and its system receives Standard Webhooks posts
/// it can verify. The receivers run on this machine over plain http, which this fixture's host allows by its switches
/// (a host as deployed refuses both: <see cref="WebhookAddressTests"/>).
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class WebhookDeliveryTests(string provider) : ApiTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:AllowedPrivateNetworks:0"] = "127.0.0.0/8",
    };

    [Test]
    public async Task An_institution_sets_its_webhook_gets_its_secret_once_and_its_test_event_arrives_signed_with_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bank = await RegisterInstitutionAsync("33");
        var client = InstitutionClient(bank);

        var set = await (await client.PutJsonAsync(Webhook(bank), new { webhookUrl = receiver.Url }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var secret = (string)set["secret"]!;
        var again = await (await client.PutJsonAsync(Webhook(bank), new { webhookUrl = receiver.Url }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var sent = await client.PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        await Host.RunDueJobsAsync();

        WebhookSignature.IsWellFormed(secret).ShouldBeTrue();
        again["secret"].ShouldBeNull();   // shown once: setting the URL again keeps the secret and does not show it
        var settings = await (await client.GetAsync(Webhook(bank)).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)settings["webhookUrl"]!).ShouldBe(receiver.Url);
        ((bool)settings["secretSet"]!).ShouldBeTrue();
        settings.ToJsonString().ShouldNotContain(secret[6..]);
        (await (await client.GetAsync($"/api/v1/institutions/{bank}")).ReadJsonAsync()).ToJsonString().ShouldNotContain(secret[6..]);
        (await StoredSecretColumnsAsync(bank)).ShouldNotContain(secret[6..]);

        var hook = receiver.Deliveries.ShouldHaveSingleItem();
        hook.Event.ShouldBe("webhook.test");
        hook.VerifiesWith(secret).ShouldBeTrue(hook.Signature);
        hook.Signatures.Length.ShouldBe(1);
        hook.Timestamp.ShouldBe(Host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString());
        var deliveryId = (string)(await sent.ReadJsonAsync())["deliveryId"]!;
        hook.Id.ShouldBe(deliveryId);
        sent.Headers.Location!.ToString().ShouldEndWith($"{Webhook(bank)}/deliveries/{deliveryId}");
        var delivery = await (await client.GetAsync(sent.Headers.Location!.ToString()).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        ((string)delivery["status"]!).ShouldBe("delivered");
        ((int)delivery["attempts"]!).ShouldBe(1);
        ((int)delivery["lastStatusCode"]!).ShouldBe(200);
    }

    [Test]
    public async Task A_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bank = await RegisterInstitutionAsync("33");
        // The bank's own system does it, with a client-credentials token of the institution.
        var system = await ApiClientOfAsync(bank);
        var first = (string)(await (await system.PutJsonAsync(Webhook(bank), new { webhookUrl = receiver.Url }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync())["secret"]!;

        var rotatedAt = Host.Clock.GetUtcNow();
        var rotated = await (await system.PostJsonAsync($"{Webhook(bank)}/secret", new { }).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        await system.PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        await Host.RunDueJobsAsync();
        Host.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await system.PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        await Host.RunDueJobsAsync();

        var second = (string)rotated["secret"]!;
        second.ShouldNotBe(first);
        DateTimeOffset.Parse((string)rotated["previousSecretValidUntil"]!).ShouldBe(rotatedAt + TimeSpan.FromHours(24));
        var (during, after) = (receiver.Deliveries.First(), receiver.Deliveries.Last());
        during.Signatures.Length.ShouldBe(2);
        during.VerifiesWith(first).ShouldBeTrue();
        during.VerifiesWith(second).ShouldBeTrue();
        after.Signatures.Length.ShouldBe(1);
        after.VerifiesWith(second).ShouldBeTrue();
        after.VerifiesWith(first).ShouldBeFalse();
        (await (await system.GetAsync(Webhook(bank))).ReadJsonAsync())["previousSecretValidUntil"].ShouldBeNull();
    }

    [Test]
    public async Task A_receiver_that_redirects_is_not_followed_and_the_attempt_is_recorded_as_failed()
    {
        await using var elsewhere = await WebhookReceiver.StartAsync();
        await using var redirecting = await WebhookReceiver.StartAsync(redirectTo: elsewhere.Url);
        var bank = await RegisterInstitutionAsync("33");
        await InstitutionClient(bank).PutJsonAsync(Webhook(bank), new { webhookUrl = redirecting.Url }).ShouldBe(HttpStatusCode.OK);

        var sent = await InstitutionClient(bank).PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        await Host.RunDueJobsAsync();

        redirecting.Attempts.ShouldBe(1);
        elsewhere.Attempts.ShouldBe(0);
        var delivery = await (await InstitutionClient(bank).GetAsync(sent.Headers.Location!.ToString())).ReadJsonAsync();
        ((string)delivery["status"]!).ShouldBe("pending");   // failed; its next attempt is on the row's schedule
        ((int)delivery["attempts"]!).ShouldBe(1);
        ((int)delivery["lastStatusCode"]!).ShouldBe(302);
        ((string)delivery["lastError"]!).ShouldContain("redirects are not followed");
        DateTimeOffset.Parse((string)delivery["nextAttemptAt"]!).ShouldBe(Host.Clock.GetUtcNow() + TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task An_attempt_without_an_answer_within_the_timeout_is_a_failed_attempt_of_its_own()
    {
        await using var receiver = await WebhookReceiver.StartAsync(hold: true);
        var bank = await RegisterInstitutionAsync("33");
        await InstitutionClient(bank).PutJsonAsync(Webhook(bank), new { webhookUrl = receiver.Url }).ShouldBe(HttpStatusCode.OK);
        var sent = await InstitutionClient(bank).PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        var deliveryId = (string)(await sent.ReadJsonAsync())["deliveryId"]!;

        // The attempt waits on the receiver; the timeout counts on the platform's clock, moved on here.
        await using var scope = Host.Services.CreateAsyncScope();
        var attempt = scope.ServiceProvider.GetRequiredService<IMediator>().Send(new DeliverWebhook(deliveryId)).AsTask();
        await receiver.Arrived.Task;
        Host.Clock.Advance(TimeSpan.FromSeconds(15));

        (await attempt).ShouldBeFalse();
        var delivery = await (await InstitutionClient(bank).GetAsync(sent.Headers.Location!.ToString())).ReadJsonAsync();
        ((int)delivery["attempts"]!).ShouldBe(1);
        ((string)delivery["lastError"]!).ShouldBe("No answer within 15 s.");
        receiver.Attempts.ShouldBe(1);   // one attempt, nothing retried behind the row's back
    }

    [Test]
    public async Task A_secret_stored_in_plaintext_before_is_protected_at_start_up_and_keeps_signing_with_the_same_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bank = await RegisterInstitutionAsync("33");
        await using (var connection = await Host.Service<Db>().OpenAsync())
            await connection.ExecuteAsync("UPDATE institutions SET webhook_url = @Url, webhook_secret = 'institution-webhook-secret' WHERE id = @Id",
                new { Url = receiver.Url, Id = bank });

        await Host.Service<WebhookSecrets>().ProtectStoredPlaintextAsync();   // what start-up runs
        await InstitutionClient(bank).PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Accepted);
        await Host.RunDueJobsAsync();

        (await StoredSecretColumnsAsync(bank)).ShouldNotContain("institution-webhook-secret");
        await using (var connection = await Host.Service<Db>().OpenAsync())
            (await connection.ExecuteScalarAsync<string?>("SELECT webhook_secret FROM institutions WHERE id = @Id", new { Id = bank })).ShouldBeNull();
        // The same key, in the Standard Webhooks form: whsec_ and the base64 of the old secret's UTF-8 bytes.
        receiver.Deliveries.ShouldHaveSingleItem().VerifiesWith("whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQ=").ShouldBeTrue();
    }

    [Test]
    public async Task Without_a_webhook_there_is_nothing_to_rotate_or_test_and_a_removed_one_takes_its_secrets()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var bank = await RegisterInstitutionAsync("33");

        await InstitutionClient(bank).PostJsonAsync($"{Webhook(bank)}/secret", new { }).ShouldBe(HttpStatusCode.Conflict);
        await InstitutionClient(bank).PostJsonAsync($"{Webhook(bank)}/test", new { }).ShouldBe(HttpStatusCode.Conflict);
        await InstitutionClient(bank).PutJsonAsync(Webhook(bank), new { webhookUrl = receiver.Url }).ShouldBe(HttpStatusCode.OK);
        await InstitutionClient(bank).DeleteAsync(Webhook(bank)).ShouldBe(HttpStatusCode.NoContent);

        var settings = await (await InstitutionClient(bank).GetAsync(Webhook(bank))).ReadJsonAsync();
        settings["webhookUrl"].ShouldBeNull();
        ((bool)settings["secretSet"]!).ShouldBeFalse();
        (await StoredSecretColumnsAsync(bank)).ShouldBe("||");
        await InstitutionClient(bank).GetAsync($"{Webhook(bank)}/deliveries/{Guid.NewGuid()}").ShouldBe(HttpStatusCode.NotFound);
    }

    private static string Webhook(string institutionId) => $"/api/v1/institutions/{institutionId}/webhook";

    /// <summary>Every column a webhook secret is or was stored in, as stored.</summary>
    private async Task<string> StoredSecretColumnsAsync(string institutionId)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        var row = await connection.QuerySingleAsync<(string?, string?, string?)>(
            "SELECT webhook_secret, webhook_signing_secret, webhook_previous_secret FROM institutions WHERE id = @Id", new { Id = institutionId });
        return $"{row.Item1}|{row.Item2}|{row.Item3}";
    }

    /// <summary>A client of the institution's own system: an API client its manager registered, with a client-credentials token.</summary>
    private async Task<HttpClient> ApiClientOfAsync(string institutionId)
    {
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "institution", institutionId, "manager");
        var manager = await Host.SignInAsync(login);
        if (manager.Session["mfaSetupRequired"]!.GetValue<bool>())
        {
            await Host.TurnOnMfaAsync(manager);
            manager = await Host.RefreshAsync(manager);
        }
        var created = await (await manager.Client.PostJsonAsync($"/api/v1/institutions/{institutionId}/api-clients", new { name = "信贷系统" })
            .ShouldBe(HttpStatusCode.Created)).ReadJsonAsync();
        var token = await (await Anonymous.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = (string)created["clientId"]!, ["client_secret"] = (string)created["clientSecret"]!,
        })).ShouldBe(HttpStatusCode.OK)).ReadJsonAsync();
        var client = Host.ClientAs(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (string)token["access_token"]!);
        return client;
    }
}
