using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>An admin registers a regulator office (人民银行支行, 金融发展服务中心 …) and the region prefix it supervises ("" = the whole country).</summary>
public sealed record CreateRegulatorOffice(string Name, string Region) : Mediator.ICommand<CreatedBody>
{
    public sealed class Validator : AbstractValidator<CreateRegulatorOffice>
    {
        public Validator()
        {
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.Region).NotNull().Matches("^([1-8][0-9]([0-9]{2}){0,2})?$").WithMessage("Must be a region code prefix of 2, 4 or 6 digits, e.g. 33, or empty for the whole country.");
        }
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<CreateRegulatorOffice, CreatedBody>
    {
        private const string InsertSql = "INSERT INTO regulator_offices (id, name, region, created_at) VALUES (@Id, @Name, @Region, @Now)";

        public async ValueTask<CreatedBody> Handle(CreateRegulatorOffice command, CancellationToken cancellationToken)
        {
            var id = Guid.CreateVersion7().ToString();
            var now = clock.GetUtcNow();
            await unit.ExecuteAsync(InsertSql, new { Id = id, Name = command.Name.Trim(), command.Region, Now = now });
            await unit.RecordAsync(now, "regulator_office", id, "registered", $"{command.Name} ({command.Region})");
            return new CreatedBody(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/regulator-offices", async (CreateRegulatorOffice command, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(command, ct);
                return Results.Created($"/api/v1/admin/regulator-offices/{created.Id}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithSummary("Register a regulator office and the region it supervises (admin)");
}
