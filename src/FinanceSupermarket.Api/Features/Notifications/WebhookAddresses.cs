using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Notifications;

/// <summary>Resolves a webhook's host name (a seam: tests make names resolve where they need them to).</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A webhook address the platform will not post to (server-side request forgery, OWASP API7:2023).</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// Where a webhook may point: https (plain http only in Development), and never into the platform's own networks — a
/// loopback, private, link-local, shared (CGNAT), unspecified, multicast, reserved or cloud metadata address. Checked when
/// the URL is set, on its literal address or what its name resolves to then, and again at every delivery, where the
/// connection is made to an address checked right then (<see cref="ConnectAsync"/>), so that a name re-pointed after the
/// check (DNS rebinding) reaches nothing it must not.
/// </summary>
public sealed class WebhookAddresses(IOptions<WebhookOptions> options, IHostEnvironment environment, IWebhookHostResolver resolver)
{
    /// <summary>How long registration waits for a name to resolve; a name that does not resolve then is checked at delivery.</summary>
    private static readonly TimeSpan ResolveAtRegistration = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cloud instance metadata services, refused even inside an allowed network: AWS, Azure, Google, Huawei Cloud
    /// (169.254.169.254; AWS IPv6 fd00:ec2::254; AWS ECS 169.254.170.2), Tencent Cloud (169.254.0.23), Alibaba Cloud
    /// (100.100.100.200), Azure's platform endpoint (168.63.129.16).
    /// </summary>
    private static readonly IPAddress[] Metadata =
        [.. new[] { "169.254.169.254", "169.254.170.2", "169.254.0.23", "100.100.100.200", "168.63.129.16", "fd00:ec2::254" }.Select(IPAddress.Parse)];

    /// <summary>Special-purpose ranges (IANA's IPv4 and IPv6 Special-Purpose Address Registries, RFC 6890) that are not the internet.</summary>
    private static readonly (IPNetwork Network, string Kind)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),   // RFC 791, RFC 1122
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),                          // RFC 1918
        (IPNetwork.Parse("100.64.0.0/10"), "a shared (carrier-grade NAT) address"),     // RFC 6598
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),                         // RFC 1122
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address"),                    // RFC 3927
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),                        // RFC 1918
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address"),                  // RFC 6890
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),                       // RFC 1918
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),                   // RFC 2544
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),                        // RFC 5771
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),                         // RFC 1112 (and 255.255.255.255, RFC 919)
        (IPNetwork.Parse("::/128"), "an unspecified address"),                          // RFC 4291
        (IPNetwork.Parse("::1/128"), "a loopback address"),                             // RFC 4291
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),               // RFC 8215
        (IPNetwork.Parse("100::/64"), "a discard-only address"),                        // RFC 6666
        (IPNetwork.Parse("2001::/32"), "a Teredo tunnel address"),                      // RFC 4380: its IPv4 end cannot be checked
        (IPNetwork.Parse("fc00::/7"), "a private (unique local) address"),              // RFC 4193
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),                         // RFC 4291
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),                         // RFC 3879
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),                           // RFC 4291
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");        // RFC 6052: an IPv4 address in the last 32 bits
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");       // RFC 3056: an IPv4 address in bits 16–47
    private static readonly IPNetwork IPv4Compatible = IPNetwork.Parse("::/96");      // RFC 4291 (deprecated): an IPv4 address in the last 32 bits

    private IPNetwork[] Allowed => [.. (options.Value.AllowedPrivateNetworks ?? []).Select(network => IPNetwork.Parse(network))];

    private bool RequireHttps => options.Value.RequireHttps ?? !environment.IsDevelopment();

    /// <summary>What is wrong with the URL itself (scheme, form, a literal address), or null.</summary>
    public string? ProblemWithForm(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            return "Must be an absolute https address.";
        if (uri.Scheme == Uri.UriSchemeHttp && RequireHttps) return "Must be an https address: deliveries carry institutions' business over the internet.";
        if (uri.UserInfo.Length > 0) return "Must not carry a user name or password: deliveries are signed instead.";
        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && Why(literal) is { } why
            ? $"Must not point into a private network: {literal} is {why}."
            : null;
    }

    /// <summary>
    /// What is wrong with the URL, its name resolved now: any of its addresses refused is a problem (a name with a public
    /// and a private address is refused). A name that does not resolve now is let through; delivery resolves it again.
    /// </summary>
    public async Task<string?> ProblemAsync(string url, CancellationToken cancellationToken)
    {
        if (ProblemWithForm(url) is { } problem) return problem;
        var host = new Uri(url).IdnHost;
        if (IPAddress.TryParse(host.Trim('[', ']'), out _)) return null;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ResolveAtRegistration);
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, bounded.Token);
        }
        catch (Exception unresolved) when (unresolved is SocketException or ArgumentException or OperationCanceledException
                                           && !cancellationToken.IsCancellationRequested)
        {
            return null;   // no such name (or not one DNS takes) now: delivery resolves it again and refuses what it cannot reach
        }
        return addresses.Select(address => Why(address) is { } why ? $"Must not point into a private network: {host} resolves to {address}, {why}." : null)
            .FirstOrDefault(why => why is not null);
    }

    /// <summary>Why the platform must not connect to the address ("a loopback address"), or null when it may.</summary>
    public string? Why(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (Metadata.Contains(address)) return "a cloud metadata address";
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } embedded) return Why(embedded);
        if (Allowed.Any(network => network.Contains(address))) return null;
        return Refused.Where(range => range.Network.BaseAddress.AddressFamily == address.AddressFamily && range.Network.Contains(address))
            .Select(range => range.Kind).FirstOrDefault();
    }

    /// <summary>The IPv4 address an IPv6 transition address carries, which is where it leads (NAT64, 6to4, IPv4-compatible).</summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || IPv4Compatible.Contains(address) && !IPAddress.IPv6Any.Equals(address) && !IPAddress.IPv6Loopback.Equals(address))
            return new IPAddress(bytes[12..16]);
        return SixToFour.Contains(address) ? new IPAddress(bytes[2..6]) : null;
    }

    /// <summary>
    /// SocketsHttpHandler's connection step for webhooks: resolves the host, refuses it when any of its addresses is
    /// refused, and connects to one of the addresses it just checked — not to what a second lookup might answer.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host.Trim('[', ']'), context.DnsEndPoint.Port);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0) throw new WebhookAddressRefusedException($"{host} resolves to no address.");
        foreach (var address in addresses)
            if (Why(address) is { } why)
                throw new WebhookAddressRefusedException($"Refused to connect: {host} resolves to {address}, {why}.");
        SocketException? failed = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException refused)
            {
                socket.Dispose();
                failed = refused;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw failed!;
    }
}
