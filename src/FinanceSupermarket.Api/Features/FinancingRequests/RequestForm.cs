using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Portal.Shared;
using FinanceSupermarket.Domain;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>The request form as the browser posts it (the amount in 万元), for the page and for its preview panel.</summary>
public sealed class RequestForm
{
    public string? Action { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? ProductId { get; set; }
    /// <summary>In 万元, as people state a loan.</summary>
    public decimal? Amount { get; set; }
    public int? TermMonths { get; set; }
    public FinancingPurpose? Purpose { get; set; }
    public List<GuaranteeMode>? GuaranteeModes { get; set; }
    public decimal? MaxRate { get; set; }
    public DateOnly? NeededBy { get; set; }
    public string? Description { get; set; }

    public RequestTerms ToTerms() => new(Amount is { } amount ? Money.FromTenThousands(amount) : 0, TermMonths ?? 0, Purpose,
        GuaranteeModes ?? [], MaxRate, NeededBy, Description);

    /// <summary>A need shaped to the product applied for: its smallest amount, a term it offers, its first guarantee mode.</summary>
    public void StartFrom(ProductView product)
    {
        Amount = Money.ToTenThousands(product.MinAmount);
        TermMonths = Math.Clamp(12, product.MinTermMonths, product.MaxTermMonths);
        GuaranteeModes = [.. product.GuaranteeModes.Take(1)];
    }
}
