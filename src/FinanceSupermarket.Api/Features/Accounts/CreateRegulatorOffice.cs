using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain.Reference;
using FinanceSupermarket.Matching;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// An admin registers a regulator office (人民银行支行, 金融发展服务中心 …) and the region it supervises: a GB/T 2260
/// province, city or county ("" = the whole country), stored as the code prefix its analysts' figures are scoped by.
/// </summary>
public sealed record CreateRegulatorOffice(string Name, string Region) : Mediator.ICommand<CreatedBody>
{
    public sealed class Validator : AbstractValidator<CreateRegulatorOffice>
    {
        public Validator(ReferenceData codes)
        {
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.Region).NotNull().WithMessage("Must be a region code, or empty for the whole country.");
            RuleFor(x => x.Region).RegionPrefix(codes).When(x => !string.IsNullOrEmpty(x.Region));
        }
    }

    public sealed class Handler(UnitOfWork unit, TimeProvider clock) : ICommandHandler<CreateRegulatorOffice, CreatedBody>
    {
        private const string InsertSql = "INSERT INTO regulator_offices (id, name, region, created_at) VALUES (@Id, @Name, @Region, @Now)";

        public async ValueTask<CreatedBody> Handle(CreateRegulatorOffice command, CancellationToken cancellationToken)
        {
            var id = Guid.CreateVersion7().ToString();
            var now = clock.GetUtcNow();
            // A city or province written in six digits (440700 江门市) supervises the prefix it stands for (4407).
            var region = Codes.NormaliseRegionPrefix(command.Region);
            await unit.ExecuteAsync(InsertSql, new { Id = id, Name = command.Name.Trim(), Region = region, Now = now });
            unit.Record(now, "regulator_office", id, "registered", $"{command.Name} ({region})");
            return new CreatedBody(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/regulator-offices", async (CreateRegulatorOffice command, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(command, ct);
                return TypedResults.Created($"/api/v1/admin/regulator-offices/{created.Id}", created);
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("An admin registers a regulator office and the GB/T 2260 region it supervises (a province, city or county).")
            .WithSummary("Register a regulator office and the region it supervises (admin)");
}
