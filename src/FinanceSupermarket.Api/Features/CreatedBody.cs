namespace FinanceSupermarket.Api.Features;

/// <summary>What a create answers (DESIGN.md: 201 with a body holding <c>id</c>).</summary>
public sealed record CreatedBody(string Id);
