using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>What an admin states about an institution: the body of registering and of changing it.</summary>
public sealed record InstitutionProfile(
    string Name, InstitutionKind? Kind, IReadOnlyList<string> RegionCodes, string? WebhookUrl, [property: Secret] string? WebhookSecret)
{
    public sealed class Validator : AbstractValidator<InstitutionProfile>
    {
        public Validator(ReferenceData codes, WebhookAddresses addresses)
        {
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.Kind).NotNull().WithMessage($"Must be one of {string.Join(", ", EnumText.AllTexts<InstitutionKind>())}.");
            RuleFor(x => x.RegionCodes).NotEmpty().DistinctList(50);
            RuleForEach(x => x.RegionCodes).RegionPrefix(codes);
            RuleFor(x => x.WebhookUrl).Text(500).DependentRules(() => RuleFor(x => x.WebhookUrl).WebhookUrl(addresses));
            // Checked with or without a webhook: a secret that is not one is a mistake either way.
            RuleFor(x => x.WebhookSecret).WebhookSecret();
        }
    }

    /// <summary>Why a webhook without a secret is refused: its deliveries are signed with the secret.</summary>
    public const string SecretNeeded = "A webhook needs a secret to sign its deliveries: whsec_ and the base64 of 24 to 64 random bytes.";
}
