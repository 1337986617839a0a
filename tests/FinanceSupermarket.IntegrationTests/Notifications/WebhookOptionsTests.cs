using FinanceSupermarket.Api.Features.Notifications;
using Microsoft.Extensions.Configuration;

namespace FinanceSupermarket.IntegrationTests.Notifications;

public sealed class WebhookOptionsTests
{
    [Test]
    public void Configured_retry_delays_replace_the_defaults_instead_of_adding_to_them()
    {
        var options = Bind(new Dictionary<string, string?> { ["Workflow:WebhookRetryDelaysSeconds:0"] = "1", ["Workflow:WebhookRetryDelaysSeconds:1"] = "2" });

        options.RetryDelaysSeconds.ShouldBe([1, 2]);
    }

    [Test]
    public void Without_configuration_a_delivery_is_tried_five_more_times()
    {
        Bind(new Dictionary<string, string?>()).RetryDelaysSeconds.ShouldBe([5, 30, 120, 600, 3600]);
    }

    private static WebhookOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new WebhookOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Workflow").Bind(options);
        return options;
    }
}
