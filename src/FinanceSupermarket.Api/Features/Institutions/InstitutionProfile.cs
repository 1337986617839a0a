using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.OpenApi;
using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>What an admin states about an institution: the body of registering and of changing it.</summary>
public sealed record InstitutionProfile(
    string Name, [property: Required] InstitutionKind? Kind, IReadOnlyList<string> RegionCodes, string? WebhookUrl, [property: Secret] string? WebhookSecret)
    : Contract.IExample<InstitutionProfile>
{
    public static InstitutionProfile Example => new("嘉善农村商业银行", InstitutionKind.Bank, ["330421"], "https://loans.example-bank.cn/hooks/finance-supermarket",
        "a-secret-of-at-least-16-characters");

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
