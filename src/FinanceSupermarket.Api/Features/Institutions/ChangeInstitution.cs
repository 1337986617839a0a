using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using FluentValidation.Results;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>
/// An admin changes an institution's profile: name, kind, the regions it serves (GB/T 2260, as at registration) and its
/// webhook. A webhook kept without a new secret keeps the stored one; a new one signs from now on, beside the one it replaced
/// until the overlap ends (Webhooks:SecretOverlap); a webhook removed takes its secrets with it. Its listed
/// products follow the new name and regions on the shelves and in the matching at once; a product offered in a region
/// the institution would no longer serve must be changed or delisted first. The change is recorded, old → new.
/// </summary>
public sealed record ChangeInstitution(string Id, InstitutionProfile Body) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<ChangeInstitution>
    {
        public Validator(ReferenceData codes, WebhookAddresses addresses) =>
            RuleFor(x => x.Body).SetValidator(new InstitutionProfile.Validator(codes, addresses)).OverridePropertyName(string.Empty);
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock, WebhookSecrets secrets, IOptions<WebhookOptions> webhooks) : ICommandHandler<ChangeInstitution>
    {
        private const string CurrentSql = """
            SELECT name, kind, region_codes AS RegionCodes, webhook_url AS WebhookUrl, webhook_signing_secret AS WebhookSecret FROM institutions WHERE id = @Id
            """;
        private const string UpdateSql = "UPDATE institutions SET name = @Name, kind = @Kind, region_codes = @RegionCodes, webhook_url = @WebhookUrl WHERE id = @Id";
        private const string ListedSql = "SELECT id, name, region_codes AS RegionCodes FROM products WHERE institution_id = @Id AND status = 'listed'";

        public async ValueTask<Unit> Handle(ChangeInstitution command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var profile = command.Body;
            var before = await unit.QuerySingleOrDefaultAsync<Stored>(CurrentSql, new { command.Id }) ?? throw new NotFoundException("The institution");
            // Compared as the secret itself: its protected form differs every time it is protected.
            before.WebhookSecret = before.WebhookSecret is { } stored ? secrets.Unprotect(stored) : null;
            var secret = profile.WebhookUrl is null ? null : string.IsNullOrEmpty(profile.WebhookSecret) ? before.WebhookSecret : profile.WebhookSecret;
            if (profile.WebhookUrl is not null && secret is null)
                throw new ValidationException([new ValidationFailure(nameof(InstitutionProfile.WebhookSecret), InstitutionProfile.SecretNeeded)]);
            var after = new Stored
            {
                Name = profile.Name, Kind = EnumText.ToText(profile.Kind!.Value), RegionCodes = string.Join(',', profile.RegionCodes),
                WebhookUrl = profile.WebhookUrl, WebhookSecret = secret,
            };
            var changes = before.ChangesTo(after);
            if (changes.Length == 0) return Unit.Value;

            var listed = (await unit.QueryAsync<ListedProduct>(ListedSql, new { command.Id })).ToArray();
            var stranded = listed.Select(product => (product.Name, Outside: ProductStore.Outside(product.OwnRegions, profile.RegionCodes)))
                .Where(product => product.Outside.Length > 0).Select(product => $"{product.Name} ({string.Join(", ", product.Outside)})").ToArray();
            if (stranded.Length > 0)
                throw new ValidationException([new ValidationFailure(nameof(InstitutionProfile.RegionCodes),
                    $"Listed products are offered where the institution would no longer serve: {string.Join("; ", stranded)}. Change or delist them first.")]);

            await unit.ExecuteAsync(UpdateSql, new { command.Id, after.Name, after.Kind, after.RegionCodes, after.WebhookUrl });
            if (after.WebhookSecret is null) await InstitutionWebhook.RemoveAsync(unit, command.Id);
            else if (after.WebhookSecret != before.WebhookSecret)
                await InstitutionWebhook.ReplaceSecretAsync(unit, secrets, command.Id, after.WebhookSecret, now + webhooks.Value.SecretOverlap);
            // The shelves and every node's matching index read the institution's name and regions with its products.
            if (before.Name != after.Name || before.RegionCodes != after.RegionCodes)
                foreach (var product in listed) await ProductStore.OfferAsync(unit, product.Id, product.OwnRegions, profile.RegionCodes);
            unit.Record(now, "institution", command.Id, "changed", string.Join("; ", changes));
            return Unit.Value;
        }

        /// <summary>An institutions row as the change compares it.</summary>
        private sealed class Stored
        {
            public string Name { get; set; } = "";
            public string Kind { get; set; } = "";
            public string RegionCodes { get; set; } = "";
            public string? WebhookUrl { get; set; }
            public string? WebhookSecret { get; set; }

            /// <summary>Each field that differs, old → new; a secret is never written down, only that it was replaced.</summary>
            public string[] ChangesTo(Stored next) =>
            [
                .. Change("name", Name, next.Name), .. Change("kind", Kind, next.Kind), .. Change("regionCodes", RegionCodes, next.RegionCodes),
                .. Change("webhookUrl", WebhookUrl, next.WebhookUrl), .. SecretChange(WebhookSecret, next.WebhookSecret),
            ];

            private static string[] SecretChange(string? old, string? next) =>
                old == next ? [] : [next is null ? "webhookSecret: removed" : "webhookSecret: replaced"];

            private static string[] Change(string field, string? old, string? next) => old == next ? [] : [$"{field}: {old ?? "(none)"} → {next ?? "(none)"}"];
        }

        private sealed class ListedProduct
        {
            public string Id { get; set; } = "";
            public string Name { get; set; } = "";
            public string RegionCodes { get; set; } = "";
            public IReadOnlyList<string> OwnRegions => ProductRow.SplitCodes(RegionCodes);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPut("/{id}", async (string id, InstitutionProfile body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new ChangeInstitution(id, body), ct);
                return TypedResults.Ok(await mediator.Send(new GetInstitution(id), ct));
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("An admin replaces an institution's name, kind, regions or webhook; each changed field is recorded old → new in the audit log (a secret only as `replaced`). A webhook kept without a secret keeps its secret; `webhookUrl: null` removes both. Narrowing the regions past a listed product's own is a 400 naming the product.")
            .WithSummary("Change an institution's name, kind, regions or webhook (admin); recorded old → new");
}
