using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// --portal: how long the portal takes to render its two busiest pages on the demo data (issue 11: under 100 ms at the
/// median), each beside its peer, the JSON API answering the same query through the same handler — so the ratio is what
/// rendering a page costs over serialising the data. The API's own Program runs in this process (Development: SQLite
/// in a temporary file, seeded demo data and accounts); pages and JSON are fetched alternately over loopback, after a
/// warm-up, and timed from the request to the last byte of the answer.
/// </summary>
public static partial class PortalRender
{
    private const string SigningKey = "portal-render-benchmark-signing-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Array.IndexOf(args, "--rounds") is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var r) ? r : 300;
        var folder = Directory.CreateTempSubdirectory("portal-render-");
        try
        {
            await using var api = await InProcessApi.StartAsync(
            [
                // The API's name, not this program's: the portal finds its static assets by it.
                "--urls", "http://127.0.0.1:0", "--environment", "Development", "--contentRoot", AppContext.BaseDirectory, "--applicationName", "FinanceSupermarket.Api",
                "--Database:Provider=Sqlite", $"--Database:ConnectionString=Data Source={Path.Combine(folder.FullName, "portal.db")}",
                "--Database:SeedDemoData=true", $"--Auth:SigningKey={SigningKey}", "--Workflow:RunJobs=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore.HttpLogging=Warning",
            ]);
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = api.Address };

            var cookie = await SignInThroughThePageAsync(http, "owner@demo.local", "Demo-Owner-2026");
            var token = await SignInThroughTheApiAsync(http, "owner@demo.local", "Demo-Owner-2026");

            Console.WriteLine($"Portal render, demo data on SQLite, {rounds} rounds each after 30 warm-up rounds; median / p95 in ms");
            Console.WriteLine("page                              | page          | JSON API peer | page ÷ peer");
            await CompareAsync(http, rounds, "shelves /products", Get("/products"), Get("/api/v1/products?page=1&pageSize=20"));
            await CompareAsync(http, rounds, "my requests /enterprise/requests",
                Get("/enterprise/requests", cookie: cookie), Get("/api/v1/financing-requests?page=1&pageSize=20", token: token));
            return 0;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static Func<HttpRequestMessage> Get(string path, string? cookie = null, string? token = null) => () =>
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    };

    private static async Task CompareAsync(HttpClient http, int rounds, string name, Func<HttpRequestMessage> page, Func<HttpRequestMessage> peer)
    {
        for (var warm = 0; warm < 30; warm++)
        {
            await TimeAsync(http, page);
            await TimeAsync(http, peer);
        }
        var pageTimes = new List<double>(rounds);
        var peerTimes = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            pageTimes.Add(await TimeAsync(http, page));
            peerTimes.Add(await TimeAsync(http, peer));
        }
        var (pageMedian, pageP95) = Percentiles(pageTimes);
        var (peerMedian, peerP95) = Percentiles(peerTimes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-33} | {pageMedian,5:N1} / {pageP95,5:N1} | {peerMedian,5:N1} / {peerP95,5:N1} | {pageMedian / peerMedian,5:N1}×"));
    }

    private static async Task<double> TimeAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request());
        var body = await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        if (!response.IsSuccessStatusCode || body.Length == 0) throw new InvalidOperationException($"{request().RequestUri} answered {(int)response.StatusCode}.");
        return watch.Elapsed.TotalMilliseconds;
    }

    private static (double Median, double P95) Percentiles(List<double> times)
    {
        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1]);
    }

    /// <summary>Signs in through the sign-in form, as a browser does (antiforgery token and all); returns the Cookie header to send.</summary>
    private static async Task<string> SignInThroughThePageAsync(HttpClient http, string login, string password)
    {
        using var form = await http.GetAsync("/sign-in");
        var html = await form.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html).Groups["value"].Value;
        var cookies = CookiesOf(form);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "sign-in", ["__RequestVerificationToken"] = antiforgery, ["Input.Login"] = login, ["Input.Password"] = password,
            }),
        };
        post.Headers.Add("Cookie", cookies);
        using var signedIn = await http.SendAsync(post);
        var session = CookiesOf(signedIn);
        return session.Contains("fs_session=", StringComparison.Ordinal)
            ? session
            : throw new InvalidOperationException($"Signing in through the page failed: {(int)signedIn.StatusCode}.");
    }

    private static async Task<string> SignInThroughTheApiAsync(HttpClient http, string login, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/sign-in", new { login, password });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonNode>())!["accessToken"]!;
    }

    private static string CookiesOf(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Select(value => value.Split(';')[0]) : []);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
