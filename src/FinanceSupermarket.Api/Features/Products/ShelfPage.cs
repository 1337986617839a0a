using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Products;

/// <summary>
/// A page of the shelves as JSON, byte for byte what <see cref="Ok{TValue}"/> of the page writes with the API's JSON
/// settings, but each product's JSON is written once and kept beside the catalogue's product (which never changes: a
/// change shelves a new one), so a page copies 20 kept texts instead of serialising 20 products with their regions and
/// industries by name on every request (issue 13: that serialisation was most of a request's work after the catalogue).
/// </summary>
public sealed class ShelfPage(Paged<ProductView> page) : IResult, IEndpointMetadataProvider
{
    // Only the catalogue's products are ever kept: the table holds each as long as the catalogue holds it.
    private static readonly ConditionalWeakTable<ProductView, byte[]> Kept = new();

    public Paged<ProductView> Page => page;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions
                     {
                         Encoder = options.Encoder, Indented = options.WriteIndented, SkipValidation = true,
                     }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(Name(options, nameof(Paged<ProductView>.Items)));
            foreach (var product in page.Items)
                writer.WriteRawValue(Kept.GetValue(product, view => JsonSerializer.SerializeToUtf8Bytes(view, options)), skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteNumber(Name(options, nameof(Paged<ProductView>.Total)), page.Total);
            writer.WriteNumber(Name(options, nameof(Paged<ProductView>.Page)), page.Page);
            writer.WriteNumber(Name(options, nameof(Paged<ProductView>.PageSize)), page.PageSize);
            writer.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    private static string Name(JsonSerializerOptions options, string property) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;

    /// <summary>What the OpenAPI document says of the answer: the same as Ok of the page.</summary>
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Paged<ProductView>), ["application/json"]));
}
