using System.Text.Json.Serialization;
using FinanceSupermarket.Api.Infrastructure.OpenApi;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FinanceSupermarket.Domain.Reference;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Enterprises;

/// <summary>
/// Registers an enterprise profile, or updates it. An enterprise user writes the profile its token is bound to. A change
/// addressed to a profile (PUT, the portal's form) names the version it was made from (If-Match, required there); a POST
/// that updates honours If-Match when sent. A stale version changes nothing (412).
/// The size is derived from industry, employees, revenue and total assets (工信部联企业〔2011〕300号), not taken on trust;
/// the credit code's registration authority (characters 3–8) must lie in the region's province unless the enterprise
/// says why it is registered elsewhere.
/// </summary>
public sealed record RegisterEnterprise(
    string CreditCode, string Name, string RegionCode, string IndustryCode, [property: Required] EnterpriseSize? Size, int? Employees,
    decimal? AnnualRevenue, [property: Required] DateOnly? EstablishedOn, IReadOnlyList<EnterpriseTag> Tags, [property: Required] TaxCreditLevel? TaxCreditLevel,
    [property: Required] bool? HasLoanHistory, decimal? TotalAssets = null, string? RegisteredElsewhereReason = null)
    : Mediator.ICommand<RegisterEnterprise.Result>, Contract.IExample<RegisterEnterprise>
{
    public static RegisterEnterprise Example => new(FinanceSupermarket.Domain.CreditCode.WithCheckCharacter("91330421MA2B3C4D5"), "嘉善精密电子有限公司", "330421", "C39", EnterpriseSize.Small, 80,
        30_000_000m, new DateOnly(2015, 6, 1), [EnterpriseTag.TechSme], FinanceSupermarket.Domain.TaxCreditLevel.A, false);

    public sealed record Result(string Id, bool Created, EnterpriseSize Size, string SizeReason);

    /// <summary>The profile a PUT addresses, which must exist; null for a POST, which writes the caller's own or the credit code's.</summary>
    [JsonIgnore]
    public string? ProfileId { get; init; }

    /// <summary>The If-Match header: the ETag of the version the change is made from.</summary>
    [JsonIgnore, Field(EntityTags.IfMatchHeader)]
    public string? IfMatch { get; init; }

    /// <summary>The answer: the id, and the size the profile was stored with and why (it may differ from the stated one).</summary>
    public sealed record Body(string Id, EnterpriseSize Size, string SizeReason);

    public sealed class Validator : AbstractValidator<RegisterEnterprise>
    {
        public Validator(TimeProvider clock, ReferenceData codes)
        {
            RuleFor(x => x.CreditCode).CreditCode();
            RuleFor(x => x.Name).Name();
            RuleFor(x => x.RegionCode).RegionCode(codes);
            RuleFor(x => x.IndustryCode).IndustryCode(codes);
            // GB 32100-2015: characters 3–8 of the credit code are the registration authority's division code. A firm may
            // be registered by another province's authority (a national registrar, a move); then it says so, and the
            // profile shows it, instead of the region silently disagreeing with the code.
            RuleFor(x => x.CreditCode).Must((x, _) => ProvincesAgree(x)).WithMessage(x => ProvinceMismatch(x, codes)).When(Comparable);
            RuleFor(x => x.RegionCode).Must((x, _) => ProvincesAgree(x)).WithMessage(x => ProvinceMismatch(x, codes)).When(Comparable);
            RuleFor(x => x.RegisteredElsewhereReason).Text(500);
            RuleFor(x => x.TotalAssets!.Value).GreaterThanOrEqualTo(0).LessThanOrEqualTo(DomainRules.MaxAmount * 100)
                .PrecisionScale(18, 2, true).OverridePropertyName("totalAssets").When(x => x.TotalAssets is not null);
            RuleFor(x => x.Size).NotNull().WithMessage(_ => RuleTexts.Say("OneOf", "micro, small, medium, large"));
            RuleFor(x => x.Employees).InclusiveBetween(0, 1_000_000).When(x => x.Employees is not null);
            RuleFor(x => x.AnnualRevenue!.Value).GreaterThanOrEqualTo(0).LessThanOrEqualTo(DomainRules.MaxAmount * 100)
                .PrecisionScale(18, 2, true).OverridePropertyName("annualRevenue").When(x => x.AnnualRevenue is not null);
            RuleFor(x => x.EstablishedOn).NotNull()
                .Must(date => date is null || (date.Value.Year >= 1949 && date.Value <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddHours(8))))
                .WithMessage(_ => RuleTexts.Say("Founded"));
            RuleFor(x => x.Tags).DistinctList(6);
            RuleFor(x => x.TaxCreditLevel).NotNull().WithMessage(_ => RuleTexts.Say("OneOf", "A, B, M, C, D"));
            RuleFor(x => x.HasLoanHistory).NotNull();
            RuleFor(x => x.IfMatch).IfMatch();
        }

        private static bool Comparable(RegisterEnterprise x) =>
            Domain.CreditCode.IsValid(x.CreditCode) && x.RegionCode is { Length: 6 } && string.IsNullOrWhiteSpace(x.RegisteredElsewhereReason);

        private static bool ProvincesAgree(RegisterEnterprise x) => x.CreditCode.AsSpan(2, 2).SequenceEqual(x.RegionCode.AsSpan(0, 2));

        private static string ProvinceMismatch(RegisterEnterprise x, ReferenceData codes)
        {
            var issuedIn = x.CreditCode.Substring(2, 2);
            var region = x.RegionCode[..2];
            return $"The credit code was issued by a registration authority of province {issuedIn} ({codes.RegionName(issuedIn) ?? "unknown"}, " +
                   $"characters 3–8: {x.CreditCode.Substring(2, 6)}), the region {x.RegionCode} lies in province {region} " +
                   $"({codes.RegionName(region) ?? "unknown"}): correct one of them, or say in registeredElsewhereReason why the enterprise is registered elsewhere.";
        }
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock, ReferenceData codes) : ICommandHandler<RegisterEnterprise, Result>
    {
        private const string ClaimedAlready =
            "This 统一社会信用代码 is registered already: ask the enterprise's owner to invite you (POST /api/v1/invitations).";
        private const string FindByCreditCodeSql = "SELECT id FROM enterprises WHERE credit_code = @CreditCode";
        private const string VersionSql = "SELECT row_version FROM enterprises WHERE id = @Id";

        private const string InsertSql = """
            INSERT INTO enterprises (id, credit_code, name, region_code, industry_code, size, size_reason, employees, annual_revenue,
                                     total_assets, established_on, tags, tax_credit_level, has_loan_history, registered_elsewhere_reason,
                                     created_at, updated_at)
            VALUES (@Id, @CreditCode, @Name, @RegionCode, @IndustryCode, @Size, @SizeReason, @Employees, @AnnualRevenue,
                    @TotalAssets, @EstablishedOn, @Tags, @TaxCreditLevel, @HasLoanHistory, @RegisteredElsewhereReason, @Now, @Now)
            """;

        private const string UpdateSql = """
            UPDATE enterprises SET credit_code = @CreditCode, name = @Name, region_code = @RegionCode, industry_code = @IndustryCode,
                size = @Size, size_reason = @SizeReason, employees = @Employees, annual_revenue = @AnnualRevenue, total_assets = @TotalAssets,
                established_on = @EstablishedOn, tags = @Tags, tax_credit_level = @TaxCreditLevel, has_loan_history = @HasLoanHistory,
                registered_elsewhere_reason = @RegisteredElsewhereReason, updated_at = @Now, row_version = row_version + 1
            WHERE id = @Id AND row_version = COALESCE(@Version, row_version)
            """;

        public async ValueTask<Result> Handle(RegisterEnterprise command, CancellationToken cancellationToken)
        {
            var holder = await unit.QuerySingleOrDefaultAsync<string>(FindByCreditCodeSql, new { command.CreditCode });
            // A person with no enterprise yet registers one and becomes its owner; an enterprise user is bound to one id;
            // an admin registers by credit code.
            var claiming = user.IsPerson && user.Is(Role.Enterprise) && user.EnterpriseId is null;
            var id = command.ProfileId is { } addressed ? Addressed(addressed)
                : claiming ? Guid.CreateVersion7().ToString() : user.Is(Role.Enterprise) ? user.RequireEnterpriseId() : holder ?? Guid.CreateVersion7().ToString();
            var current = await unit.QuerySingleOrDefaultAsync<long?>(VersionSql, new { Id = id });
            var exists = current is not null;
            if (!exists && command.ProfileId is not null) throw new NotFoundException("The enterprise");
            if (holder is not null && holder != id)
                throw new ConflictException(claiming ? ClaimedAlready : "This credit code is already registered to another enterprise.");
            if (!exists && command.IfMatch is not null) throw new PreconditionFailedException();   // no version of it exists to match
            // A POST without If-Match updates whatever version is stored (the v1 contract): no version to hold it to.
            long? version = current is { } stored && (command.IfMatch is not null || command.ProfileId is not null)
                ? EntityTags.Check(command.IfMatch, stored, required: command.ProfileId is not null)
                : null;
            var (size, sizeReason) = SizeOf(command);
            var row = new
            {
                Id = id, Version = version, command.CreditCode, command.Name, command.RegionCode, command.IndustryCode,
                Size = EnumText.ToText(size), SizeReason = sizeReason, command.Employees, command.AnnualRevenue, command.TotalAssets,
                EstablishedOn = command.EstablishedOn!.Value, Tags = EnumText.Join(command.Tags),
                TaxCreditLevel = EnumText.ToText(command.TaxCreditLevel!.Value), HasLoanHistory = command.HasLoanHistory!.Value,
                RegisteredElsewhereReason = string.IsNullOrWhiteSpace(command.RegisteredElsewhereReason) ? null : command.RegisteredElsewhereReason.Trim(),
                Now = clock.GetUtcNow(),
            };
            try
            {
                // An update that finds its version gone lost to a change committed since: it changes nothing.
                if (await unit.ExecuteAsync(exists ? UpdateSql : InsertSql, row) == 0) throw new PreconditionFailedException();
            }
            catch (Exception exception) when (unit.Dialect.IsUniqueViolation(exception))
            {
                // Another enterprise registered the same credit code between the check and the write.
                throw new ConflictException(claiming ? ClaimedAlready : "This credit code is already registered to another enterprise.");
            }
            if (claiming) await Memberships.AddAsync(unit, user.PersonId!, MembershipKind.Enterprise, id, MembershipRole.Owner, row.Now);
            unit.Record(row.Now, "enterprise", id, exists ? "changed" : "registered", command.Name);
            return new Result(id, Created: !exists, size, sizeReason);
        }

        /// <summary>The profile a PUT addresses: an enterprise user's own only (another's is not found), or any for an admin.</summary>
        private string Addressed(string id) =>
            user.Is(Role.Admin) || user.Is(Role.Enterprise) && user.EnterpriseId == id ? id : throw new NotFoundException("The enterprise");

        /// <summary>
        /// The size the rules give, stored over the stated one. Re-classifying rather than refusing is what an SME owner
        /// expects: 小型 in everyday speech is "not a big firm", the notice's thresholds are a table few owners have read,
        /// and the employees and revenue they gave already decide it; a refusal would block the profile over a word.
        /// The reason says what was changed and why, so that wrong figures can be corrected. Where the rules cannot
        /// decide (a measure not given, an industry they do not size), the stated size stands and the reason says so.
        /// </summary>
        private (EnterpriseSize Size, string Reason) SizeOf(RegisterEnterprise command)
        {
            var stated = command.Size!.Value;
            var derived = codes.SizeRules.Derive(command.IndustryCode, command.Employees, command.AnnualRevenue, command.TotalAssets);
            return derived.Size switch
            {
                null => (stated, $"Stated size {Text(stated)} kept, not checked: {derived.Basis}"),
                { } size when size == stated => (stated, $"Confirmed: {derived.Basis}"),
                { } size => (size, $"Stated size {Text(stated)} re-classified as {Text(size)}: {derived.Basis}"),
            };
        }

        private static string Text(EnterpriseSize size) => EnumText.ToText(size);
    }

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/", async Task<Results<Created<Body>, Ok<Body>>> (RegisterEnterprise command, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(command with { IfMatch = EntityTags.IfMatchOf(request) }, ct);
                var body = new Body(result.Id, result.Size, result.SizeReason);
                return result.Created ? TypedResults.Created($"/api/v1/enterprises/{result.Id}", body) : TypedResults.Ok(body);
            })
            .RequireAuthorization(AuthModule.Policies.EnterpriseOrAdmin)
            .WithEntityTag(ifMatchRequired: false, answersWithETag: false)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("registerEnterprise")
            .WithDescription("An enterprise user registers the profile of the enterprise they work for (and becomes its owner), or its owner updates it; an admin may write any. The 统一社会信用代码 is checked per GB 32100-2015 and its registration authority must lie in the region's province unless `registeredElsewhereReason` says why. The size is derived from industry, employees, `annualRevenue` and `totalAssets` (工信部联企业〔2011〕300号): the answer gives the size stored and `sizeReason`. A second person claiming a registered credit code gets a 409 asking for an invitation. An update honours If-Match when sent.")
            .WithSummary("Register or update an enterprise profile (201 when created, 200 when updated)");
        group.MapPut("/{id}", async (string id, RegisterEnterprise command, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(command with { ProfileId = id, IfMatch = EntityTags.IfMatchOf(http.Request) }, ct);
                var profile = await mediator.Send(new GetEnterprise(id), ct);
                return http.Response.OkWithETag(profile, profile.Version);
            })
            .RequireAuthorization(AuthModule.Policies.EnterpriseOrAdmin)
            .WithEntityTag(ifMatchRequired: true)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("changeEnterprise")
            .WithSummary("Change an enterprise profile (its enterprise, or an admin); If-Match with the profile's ETag is required")
            .WithDescription("The same body as registering. 412 when the profile changed since that ETag (nothing is changed), 428 without If-Match. The answer is the profile with its new ETag.");
    }
}
