using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>An admin registers a bank, guarantee, insurer, small-loan, leasing company or fund, with the regions it serves.</summary>
public sealed record RegisterInstitution(InstitutionProfile Body) : Mediator.ICommand<CreatedBody>
{
    public sealed class Validator : AbstractValidator<RegisterInstitution>
    {
        // No "body." prefix: the profile's fields are the top-level fields of the JSON the client sent.
        public Validator(ReferenceData codes, WebhookAddresses addresses)
        {
            RuleFor(x => x.Body).SetValidator(new InstitutionProfile.Validator(codes, addresses)).OverridePropertyName(string.Empty);
            RuleFor(x => x.Body.WebhookSecret).NotEmpty().When(x => x.Body.WebhookUrl is not null).OverridePropertyName("WebhookSecret")
                .WithMessage(InstitutionProfile.SecretNeeded);
        }
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock, WebhookSecrets secrets) : ICommandHandler<RegisterInstitution, CreatedBody>
    {
        private const string InsertSql = """
            INSERT INTO institutions (id, name, kind, region_codes, webhook_url, webhook_signing_secret, created_at)
            VALUES (@Id, @Name, @Kind, @RegionCodes, @WebhookUrl, @WebhookSecret, @Now)
            """;

        public async ValueTask<CreatedBody> Handle(RegisterInstitution command, CancellationToken cancellationToken)
        {
            var id = Guid.CreateVersion7().ToString();
            var profile = command.Body;
            await unit.ExecuteAsync(InsertSql, new
            {
                Id = id, profile.Name, Kind = EnumText.ToText(profile.Kind!.Value), RegionCodes = string.Join(',', profile.RegionCodes),
                profile.WebhookUrl, WebhookSecret = profile.WebhookUrl is null ? null : secrets.Protect(profile.WebhookSecret!), Now = clock.GetUtcNow(),
            });
            unit.Record(clock.GetUtcNow(), "institution", id, "registered", profile.Name);
            return new CreatedBody(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (InstitutionProfile body, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(new RegisterInstitution(body), ct);
                return TypedResults.Created($"/api/v1/institutions/{created.Id}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("An admin registers a financial institution with the regions it serves (GB/T 2260 codes or prefixes) and, optionally, a webhook URL and secret for signed notifications.")
            .WithSummary("Register an institution (admin)");
}
