using Dapper;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>An admin registers a bank, guarantee, insurer, small-loan, leasing company or fund, with the regions it serves.</summary>
public sealed record RegisterInstitution(
    string Name, InstitutionKind? Kind, IReadOnlyList<string> RegionCodes, string? WebhookUrl, [property: Secret] string? WebhookSecret)
    : Mediator.ICommand<CreatedBody>
{
    public sealed class Validator : AbstractValidator<RegisterInstitution>
    {
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.Kind).NotNull().WithMessage("Must be one of bank, guarantee, insurance, small_loan, leasing, fund.");
            RuleFor(x => x.RegionCodes).NotEmpty().DistinctList(50);
            RuleForEach(x => x.RegionCodes).RegionPrefix(codes);
            RuleFor(x => x.WebhookUrl).Text(500)
                .Must(url => url is null || Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
                .WithMessage("Must be an absolute http(s) address.");
            // The length holds with or without a webhook: the column is 200 characters wide.
            RuleFor(x => x.WebhookSecret).Text(200);
            RuleFor(x => x.WebhookSecret).NotEmpty().When(x => x.WebhookUrl is not null)
                .WithMessage("A webhook needs a secret (at most 200 characters) to sign its deliveries.");
        }
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<RegisterInstitution, CreatedBody>
    {
        private const string InsertSql = """
            INSERT INTO institutions (id, name, kind, region_codes, webhook_url, webhook_secret, created_at)
            VALUES (@Id, @Name, @Kind, @RegionCodes, @WebhookUrl, @WebhookSecret, @Now)
            """;

        public async ValueTask<CreatedBody> Handle(RegisterInstitution command, CancellationToken cancellationToken)
        {
            var id = Guid.CreateVersion7().ToString();
            await unit.ExecuteAsync(InsertSql, new
            {
                Id = id, command.Name, Kind = EnumText.ToText(command.Kind!.Value), RegionCodes = string.Join(',', command.RegionCodes),
                command.WebhookUrl, command.WebhookSecret, Now = clock.GetUtcNow(),
            });
            await unit.RecordAsync(clock.GetUtcNow(), "institution", id, "registered", command.Name);
            return new CreatedBody(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (RegisterInstitution command, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(command, ct);
                return Results.Created($"/api/v1/institutions/{created.Id}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithSummary("Register an institution (admin)");
}
