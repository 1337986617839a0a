using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// An institution manager registers the institution's own system as an API client: a client id and a secret, shown once
/// and stored as a hash. The client gets tokens by the client-credentials grant (<see cref="IssueClientToken"/>).
/// </summary>
public sealed record CreateApiClient(string InstitutionId, string Name) : Mediator.ICommand<CreateApiClient.Created>
{
    public sealed record Created(string ClientId, string ClientSecret, string Name);

    public sealed class Validator : AbstractValidator<CreateApiClient>
    {
        public Validator() => RuleFor(x => x.Name).NotEmpty().Text(100);
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<CreateApiClient, Created>
    {
        private const string InsertSql = """
            INSERT INTO api_clients (client_id, institution_id, name, secret_hash, created_by, created_at)
            VALUES (@ClientId, @InstitutionId, @Name, @SecretHash, @CreatedBy, @Now)
            """;

        public async ValueTask<Created> Handle(CreateApiClient command, CancellationToken cancellationToken)
        {
            user.RequireManagerOf(command.InstitutionId);
            var now = clock.GetUtcNow();
            var created = new Created(Guid.CreateVersion7().ToString(), Secrets.NewToken(), command.Name.Trim());
            await unit.ExecuteAsync(InsertSql, new
            {
                created.ClientId, command.InstitutionId, created.Name, SecretHash = Secrets.Hash(created.ClientSecret), CreatedBy = user.PersonId, Now = now,
            });
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.ApiClientCreated, user.PersonId, null, user.ClientAddress,
                $"{created.ClientId} ({created.Name}) of institution {command.InstitutionId}");
            return created;
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/api-clients", async (string id, NameBody body, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(new CreateApiClient(id, body.Name), ct);
                return TypedResults.Created($"/api/v1/institutions/{id}/api-clients/{created.ClientId}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Institution)
            .WithDescription("The institution's manager registers an API client for the institution's own system; the client secret is shown once, in this answer. The client then uses the client-credentials grant.")
            .WithSummary("Register an API client of the institution (manager); the secret is shown once");

    public sealed record NameBody(string Name);
}
