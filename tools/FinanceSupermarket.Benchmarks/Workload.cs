using FinanceSupermarket.Testing;
using FinanceSupermarket.Matching;

namespace FinanceSupermarket.Benchmarks;

/// <summary>The data every benchmark uses: the same seeds, so the in-memory and SQL runs rank the same products.</summary>
public static class Workload
{
    public const int ProductSeed = 20250630, RequestSeed = 7;
    public static readonly DateOnly Today = new(2025, 6, 30);

    public static (List<ProductListing> Products, Dictionary<string, InstitutionTrackRecord> Tracks) Products(int count)
    {
        var generator = new ProductGenerator(ProductSeed);
        var products = generator.Products(count);
        return (products, generator.TrackRecords());
    }

    /// <summary>Varied realistic requests (regions, industries, purposes, guarantee modes), ranked round-robin.</summary>
    public static MatchQuery[] Requests(int count = 16, bool includeNearMisses = false)
    {
        var generator = new ProductGenerator(RequestSeed);
        return Enumerable.Range(0, count).Select(_ => generator.Query(Today, limit: 20, includeNearMisses)).ToArray();
    }
}
