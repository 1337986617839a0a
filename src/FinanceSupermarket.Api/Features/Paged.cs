namespace FinanceSupermarket.Api.Features;

/// <summary>A page of a longer list (DESIGN.md: <c>{items, total}</c>).</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, long Total, int Page, int PageSize);
