using System.ComponentModel.DataAnnotations;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Domain;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Accounts;

/// <summary>
/// Invites a person into an organisation with a role: an enterprise owner invites colleagues (owner, member), an
/// institution manager invites managers and officers, an admin invites anyone (the first manager of a new institution, the
/// analysts of a regulator office). The code is single-use, expires (7 days) and is shown once; with a login given it is
/// also sent to that login through the outbox, and only that login may accept it.
/// </summary>
public sealed record CreateInvitation([property: Required] MembershipKind? OrganisationKind, string OrganisationId, [property: Required] MembershipRole? Role, string? Login)
    : Mediator.ICommand<CreateInvitation.Created>
{
    public sealed record Created(string Id, string Code, DateTimeOffset ExpiresAt);

    public sealed class Validator : AbstractValidator<CreateInvitation>
    {
        public Validator()
        {
            RuleFor(x => x.OrganisationKind).NotNull().WithMessage("Must be one of enterprise, institution, regulator, platform.");
            RuleFor(x => x.OrganisationId).NotEmpty().MaximumLength(36);
            RuleFor(x => x.Role).NotNull().WithMessage("Must be one of owner, member, manager, officer, analyst, admin.")
                .Must((x, role) => x.OrganisationKind is not { } kind || role is not { } r || Membership.Fits(kind, r))
                .WithMessage(x => $"Not a role of a(n) {(x.OrganisationKind is { } k ? EnumText.ToText(k) : "")}: enterprise owner|member, institution manager|officer, regulator analyst, platform admin.");
            RuleFor(x => x.Login!).Login().When(x => x.Login is not null);
        }
    }

    public sealed class Handler(UnitOfWork unit, IMessageSender messages, CurrentUser user, IOptions<AccountsOptions> options, TimeProvider clock)
        : ICommandHandler<CreateInvitation, Created>
    {
        private const string InsertSql = """
            INSERT INTO invitations (id, code_hash, organisation_kind, organisation_id, role, login, invited_by, created_at, expires_at)
            VALUES (@Id, @CodeHash, @Kind, @OrganisationId, @Role, @Login, @InvitedBy, @Now, @ExpiresAt)
            """;

        public async ValueTask<Created> Handle(CreateInvitation command, CancellationToken cancellationToken)
        {
            var kind = command.OrganisationKind!.Value;
            user.RequireSteward(kind, command.OrganisationId);
            var organisation = await Organisations.NameAsync(unit, kind, command.OrganisationId);
            var now = clock.GetUtcNow();
            var code = Secrets.NewCode(12);
            var created = new Created(Guid.CreateVersion7().ToString(), code, now + options.Value.InvitationLifetime);
            var login = command.Login is null ? null : Logins.Normalise(command.Login);
            await unit.ExecuteAsync(InsertSql, new
            {
                created.Id, CodeHash = Secrets.Hash(code), Kind = EnumText.ToText(kind), command.OrganisationId, Role = EnumText.ToText(command.Role!.Value),
                Login = login, InvitedBy = user.PersonId ?? "platform", Now = now, created.ExpiresAt,
            });
            if (login is not null)
                await messages.SendAsync(Invitation(login, user.Name, organisation, command.Role!.Value, code, created.ExpiresAt), now);
            await SecurityEvents.RecordAsync(unit, now, SecurityEvents.InvitationCreated, user.PersonId, login, user.ClientAddress,
                $"{EnumText.ToText(kind)} {command.OrganisationId} as {EnumText.ToText(command.Role!.Value)}");
            return created;
        }
    }

    /// <summary>
    /// The invitation as its recipient reads it: into which organisation, as what (its role's work in a sentence), the code
    /// and its last day (Asia/Shanghai); a role that signs in with a second factor is told so before its first sign-in.
    /// </summary>
    public static OutgoingMessage Invitation(string login, string? inviter, string organisation, MembershipRole role, string code, DateTimeOffset expiresAt)
    {
        var (roleName, work, roleNameEn, workEn) = role switch
        {
            MembershipRole.Owner => ("企业管理员", "管理企业信息、人员和融资需求", "owner of the company", "look after the company's profile, people and financing needs"),
            MembershipRole.Member => ("企业成员", "代表企业发布和跟进融资需求", "member of the company", "post and follow up financing needs for the company"),
            MembershipRole.Manager => ("金融机构管理员", "管理本机构的产品、人员、系统对接和服务指标，并处理派单", "manager of the financial institution",
                "look after the institution's products, staff, system integration and service figures, and answer dispatched needs"),
            MembershipRole.Officer => ("金融机构信贷员", "在工作台接收派单、按时限答复企业的融资需求并反馈审批结果", "loan officer of the financial institution",
                "receive dispatched needs in the workbench, answer them within the deadline and post the results"),
            MembershipRole.Analyst => ("监管分析员", "在监管驾驶舱查看辖区的撮合统计和督导清单", "analyst of the regulator office",
                "follow the region's matchmaking figures and overdue list in the regulator's cockpit"),
            _ => ("平台管理员", "管理平台的机构、监管部门、人员和配置", "administrator of the platform", "look after the platform's institutions, regulator offices, people and settings"),
        };
        var day = expiresAt.PlatformDay();
        var secondFactor = Membership.NeedsMfa(role);
        return new OutgoingMessage(login, $"金融超市邀请：{organisation}{roleName} / Invitation to Finance Supermarket",
            $"{inviter ?? "金融超市"} 邀请您以{roleName}身份加入{organisation}，{work}。注册或登录金融超市后，输入邀请码 {code}（{day:yyyy-MM-dd} 前有效）。" +
            (secondFactor ? "该角色须以动态验证码（两步验证）登录：接受邀请后请按页面提示用身份验证器应用完成设置。" : "") +
            $" You are invited to join {organisation} as {roleNameEn}, to {workEn}. Sign up or sign in to Finance Supermarket and enter the invitation code {code} by {day:yyyy-MM-dd}." +
            (secondFactor ? " This role signs in with a second factor: after accepting, set up an authenticator app as the page asks." : ""));
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (CreateInvitation command, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(command, ct);
                return TypedResults.Created($"/api/v1/invitations/{created.Id}", created);
            })
            .RequireAuthorization()
            .WithDescription("An enterprise owner, institution manager or admin invites a login into an organisation with a role; the single-use code (valid 7 days) is shown once and also sent through the outbox.")
            .WithSummary("Invite a person into an organisation (enterprise owner, institution manager, admin); the code is shown once");
}
