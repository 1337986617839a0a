using FinanceSupermarket.Api.Features.Notifications;

namespace FinanceSupermarket.IntegrationTests.Notifications;

/// <summary>The Standard Webhooks signature scheme, against the test vector its reference libraries publish.</summary>
public sealed class WebhookSignatureTests
{
    // standard-webhooks/standard-webhooks, libraries/csharp/StandardWebhooks.Tests/WebhookTest.cs (TestSignFunction) and
    // libraries/python/tests/test_webhooks.py (test_sign_function), commit b2fa7b8719fb75d326b591077f5d1b385cfcdfae.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static readonly DateTimeOffset SpecTimestamp = DateTimeOffset.FromUnixTimeSeconds(1614265330);
    private const string SpecPayload = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Test]
    public void The_signature_of_the_specs_test_vector_is_the_published_one()
    {
        WebhookSignature.Sign(SpecId, SpecTimestamp, SpecPayload, SpecSecret).ShouldBe(SpecSignature);
        WebhookSignature.UnixSeconds(SpecTimestamp).ShouldBe("1614265330");
    }

    [Test]
    public void Each_secret_that_signs_adds_a_signature_separated_by_a_space()
    {
        var other = WebhookSignature.NewSecret();

        var header = WebhookSignature.Header(SpecId, SpecTimestamp, SpecPayload, [other, SpecSecret]);

        header.Split(' ').ShouldBe([WebhookSignature.Sign(SpecId, SpecTimestamp, SpecPayload, other), SpecSignature]);
    }

    [Test]
    public void A_new_secret_is_32_random_bytes_in_the_specs_form()
    {
        var secret = WebhookSignature.NewSecret();

        secret.ShouldStartWith("whsec_");
        WebhookSignature.KeyOf(secret)!.Length.ShouldBe(32);
        WebhookSignature.IsWellFormed(secret).ShouldBeTrue();
        WebhookSignature.NewSecret().ShouldNotBe(secret);
    }

    [TestCase("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true)]                                                           // 24 bytes
    [TestCase("whsec_c2hvcnQ=", false)]                                                                                  // 5 bytes
    [TestCase("whsec_not base64!", false)]
    [TestCase("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)]                                                                 // no prefix
    [TestCase("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", false)] // 69 bytes
    public void A_given_secret_must_be_whsec_and_the_base64_of_24_to_64_bytes(string secret, bool wellFormed) =>
        WebhookSignature.IsWellFormed(secret).ShouldBe(wellFormed);

    [Test]
    public void A_secret_of_the_first_webhooks_keeps_its_key_in_the_specs_form()
    {
        var secret = WebhookSignature.FromLegacy("institution-webhook-secret");

        secret.ShouldBe("whsec_aW5zdGl0dXRpb24td2ViaG9vay1zZWNyZXQ=");
        System.Text.Encoding.UTF8.GetString(WebhookSignature.KeyOf(secret)!).ShouldBe("institution-webhook-secret");
        WebhookSignature.FromLegacy(SpecSecret).ShouldBe(SpecSecret);
    }
}
