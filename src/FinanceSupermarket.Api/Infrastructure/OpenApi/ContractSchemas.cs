using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FinanceSupermarket.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FinanceSupermarket.Api.Infrastructure.OpenApi;

/// <summary>Makes each schema say what the JSON setup (Http/JsonSetup.cs) really reads and writes.</summary>
internal sealed class ContractSchemas(IOptions<JsonOptions> json) : IOpenApiSchemaTransformer
{
    /// <summary>The generator's mark of a schema that becomes a component, referenced where it is used.</summary>
    private const string SchemaId = "x-schema-id";

    /// <summary>The generator's mark of a property whose component it wraps in oneOf with null.</summary>
    private const string NullableReference = "x-is-nullable-property";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var nullable = Nullable.GetUnderlyingType(type);
        var underlying = nullable ?? type;
        if (underlying.IsEnum) DescribeEnum(schema, underlying, nullable: nullable is not null && !IsComponent(schema));
        // A list of enums loses its (empty) item schema: the items name the enum's component.
        if (context.JsonTypeInfo is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { IsEnum: true } element })
            schema.Items = DescribeEnum(new OpenApiSchema { Metadata = new Dictionary<string, object> { [SchemaId] = element.Name } }, element);
        // The generator says "double" for decimal: money and rates are exact decimals (README, "Amounts and rates").
        if (underlying == typeof(decimal)) schema.Format = "decimal";
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && context.JsonPropertyInfo is null)
        {
            OptionalWhenNullable(schema, context.JsonTypeInfo);
            if (ExampleOf(type) is { } example) schema.Example = JsonSerializer.SerializeToNode(example, type, json.Value.SerializerOptions);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The strict converter (StrictEnumConverterFactory) is opaque to the generator, which then describes nothing: the
    /// schema lists the one text form of each value (EnumText), the only one the API accepts.
    /// </summary>
    /// <remarks>
    /// A nullable enum is mostly the generator's oneOf of null and this schema, a component; where the generator keeps it
    /// inline (a parameter with a default value), it allows null itself.
    /// </remarks>
    private static OpenApiSchema DescribeEnum(OpenApiSchema schema, Type enumType, bool nullable = false)
    {
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        var texts = EnumText.AllTexts(enumType).Select(text => (JsonNode)JsonValue.Create(text)!);
        schema.Enum = nullable ? [.. texts, null!] : [.. texts];
        return schema;
    }

    /// <summary>
    /// A field that may be null may also be left out of a request (it binds as null), and the generator lists every
    /// constructor parameter as required: only the fields that always hold a value stay required. A field typed nullable
    /// so that its validator, not the binder, names it when it is missing is marked [Required]: required, and not null.
    /// </summary>
    private static void OptionalWhenNullable(OpenApiSchema schema, JsonTypeInfo typeInfo)
    {
        if (schema.Required is not { Count: > 0 } required) return;
        foreach (var property in typeInfo.Properties)
        {
            if (Nullable.GetUnderlyingType(property.PropertyType) is null && (property.PropertyType.IsValueType || !property.IsSetNullable || !property.IsGetNullable))
                continue;
            if (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: false) != true) required.Remove(property.Name);
            else if (schema.Properties?.TryGetValue(property.Name, out var field) == true) NotNull(field);
        }
    }

    /// <summary>A plain type loses its null; a component's reference is made nullable later, by the generator's mark.</summary>
    private static void NotNull(IOpenApiSchema field)
    {
        if (field is not OpenApiSchema schema) return;
        if (schema.Type is { } type) schema.Type = type & ~JsonSchemaType.Null;
        schema.Metadata?.Remove(NullableReference);
    }

    private static bool IsComponent(OpenApiSchema schema) => schema.Metadata?.TryGetValue(SchemaId, out var id) == true && id is string { Length: > 0 };

    private static object? ExampleOf(Type type) =>
        type.GetInterfaces().Any(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(Contract.IExample<>))
            ? type.GetProperty(nameof(Contract.IExample<object>.Example), BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            : null;
}
