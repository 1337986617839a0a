using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// ASP.NET Core Data Protection's key ring kept in the platform's database, so that every node protects and unprotects
/// with the same keys (TOTP secrets protected on one node are read on another). Data Protection calls this synchronously,
/// rarely: at start-up and when a key is rolled. Its insert runs on a connection of its own, beside any open unit of work:
/// fine where writers lock rows (PostgreSQL, SQL Server), not in SQLite's one-writer file (<see cref="SqlDialect.KeyRing"/>).
/// </summary>
public sealed class DatabaseKeyRing(Db db) : IXmlRepository
{
    private const string AllSql = "SELECT xml FROM data_protection_keys ORDER BY id";
    private const string InsertSql = "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@FriendlyName, @Xml)";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<string>(AllSql).Select(xml => XElement.Parse(xml)).ToArray();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        connection.Execute(InsertSql, new { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
