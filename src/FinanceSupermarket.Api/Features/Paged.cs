using Dapper;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;

namespace FinanceSupermarket.Api.Features;

/// <summary>A page of a longer list (DESIGN.md: <c>{items, total}</c>).</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, long Total, int Page, int PageSize)
{
    /// <summary>The same page with each item shown another way (a row with the names beside its codes).</summary>
    public Paged<TView> Select<TView>(Func<T, TView> view) => new(Items.Select(view).ToArray(), Total, Page, PageSize);
}

/// <summary>A list query that takes ?page= and ?pageSize=.</summary>
public interface IPagedQuery
{
    int? Page { get; }
    int? PageSize { get; }
}

/// <summary>The rows a paged query reads: the same defaults and arithmetic for every list (its SQL takes @Skip and @Take).</summary>
public sealed record PageWindow(int Page, int PageSize)
{
    public int Skip => (Page - 1) * PageSize;
    public int Take => PageSize;

    public static PageWindow Of(IPagedQuery query, int defaultPageSize = 20) => new(query.Page ?? 1, query.PageSize ?? defaultPageSize);

    public Paged<T> With<T>(IReadOnlyList<T> items, long total) => new(items, total, Page, PageSize);

    /// <summary>Reads this page of an ordered SELECT (paged in the dialect's words) and the total its COUNT(*) gives.</summary>
    public async Task<Paged<T>> ReadAsync<T>(Db db, string countSql, string orderedPageSql, object? parameters, CancellationToken cancellationToken)
    {
        var all = new DynamicParameters(parameters);
        all.AddDynamicParams(new { Skip, Take });
        await using var connection = await db.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(countSql, all);
        var items = (await connection.QueryAsync<T>(db.Dialect.Page(orderedPageSql), all)).ToArray();
        return With(items, total);
    }
}

public static class PagingRules
{
    /// <summary>The bounds every paged list shares; a list may allow larger pages.</summary>
    public static void AddPagingRules<T>(this AbstractValidator<T> validator, int maxPageSize = 100) where T : IPagedQuery
    {
        validator.RuleFor(x => x.Page).InclusiveBetween(1, 100_000);
        validator.RuleFor(x => x.PageSize).InclusiveBetween(1, maxPageSize);
    }
}
