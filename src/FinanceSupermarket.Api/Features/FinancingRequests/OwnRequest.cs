using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;

namespace FinanceSupermarket.Api.Features.FinancingRequests;

/// <summary>A financing request as its own enterprise acts on it; another enterprise's request is not found.</summary>
public sealed class OwnRequest
{
    private const string OwnSql = """
        SELECT id, enterprise_id AS EnterpriseId, status, region_code AS RegionCode, submitted_at AS SubmittedAt, rating, result_status AS ResultStatus
        FROM financing_requests WHERE id = @Id AND enterprise_id = @EnterpriseId
        """;

    public string Id { get; set; } = "";
    public string EnterpriseId { get; set; } = "";
    public string Status { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public DateTimeOffset SubmittedAt { get; set; }
    public int? Rating { get; set; }

    /// <summary>The enterprise's word on a posted result: posted, confirmed or disputed (none before a result).</summary>
    public string? ResultStatus { get; set; }

    public static async Task<OwnRequest> LoadAsync(UnitOfWork unit, string id, string enterpriseId) =>
        await unit.QuerySingleOrDefaultAsync<OwnRequest>(OwnSql, new { Id = id, EnterpriseId = enterpriseId })
        ?? throw new NotFoundException("The financing request");

    /// <summary>The facts a step of this request starts from.</summary>
    public RequestStep Step(string? detail = null) => new(Id, EnterpriseId, RegionCode) { SubmittedAt = SubmittedAt, Detail = detail };
}
