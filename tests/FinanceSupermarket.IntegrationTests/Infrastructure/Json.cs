using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FinanceSupermarket.Api.Infrastructure.Http;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>Reads and writes JSON the way the API's clients do (camelCase, snake_case enums).</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonSetup.Configure(options);
        return options;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body) =>
        client.PostAsJsonAsync(path, body, Options);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object? body) =>
        client.PutAsJsonAsync(path, body, Options);

    /// <summary>A PUT that names the version it is made from (If-Match; none when null).</summary>
    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object? body, string? ifMatch) =>
        client.SendJsonAsync(HttpMethod.Put, path, body, ifMatch);

    /// <summary>A POST that names the version it is made from (If-Match).</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body, string ifMatch) =>
        client.SendJsonAsync(HttpMethod.Post, path, body, ifMatch);

    private static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object? body, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Options) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch).ShouldBeTrue();
        return client.SendAsync(request);
    }

    /// <summary>The ETag of what the client reads at the path (a strong one: its version).</summary>
    public static async Task<string> ETagAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path).ShouldBe(System.Net.HttpStatusCode.OK);
        response.Headers.ETag.ShouldNotBeNull($"GET {path} has no ETag");
        response.Headers.ETag.IsWeak.ShouldBeFalse();
        return response.Headers.ETag.ToString();
    }

    /// <summary>A PUT made from the version the client reads now, as a client that reads before it changes does.</summary>
    public static async Task<HttpResponseMessage> PutJsonFromCurrentAsync(this HttpClient client, string path, object? body) =>
        await client.PutJsonAsync(path, body, await client.ETagAsync(path));

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("Empty JSON body");
    }

    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Options))!;

    /// <summary>Asserts the status, showing the body when it differs (problem details say why).</summary>
    public static async Task<HttpResponseMessage> ShouldBe(this Task<HttpResponseMessage> call, System.Net.HttpStatusCode status)
    {
        var response = await call;
        if (response.StatusCode != status)
            Assert.Fail($"Expected {(int)status} {status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()} (server log: {TestLoggerProvider.LogFile})");
        return response;
    }
}
