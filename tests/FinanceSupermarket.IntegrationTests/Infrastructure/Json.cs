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
