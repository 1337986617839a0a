using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Dapper;
using FinanceSupermarket.Api.Features.Accounts;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace FinanceSupermarket.IntegrationTests.Accounts;

/// <summary>
/// People, sessions, invitations, the second factor and API clients over HTTP (DESIGN.md, Accounts and sessions), on
/// SQLite and PostgreSQL.
/// </summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class AccountsTests(string provider) : ApiTestBase(provider)
{
    [Test]
    public async Task A_person_who_registers_an_enterprise_becomes_its_owner_and_a_second_claimant_is_asked_for_an_invitation()
    {
        var login = People.NewLogin("owner");
        await Host.SignUpAsync(login, "王会计");
        var signedIn = await Host.SignInAsync(login);
        signedIn.Session["membership"].ShouldBeNull();
        signedIn.Session["memberships"]!.AsArray().ShouldBeEmpty();

        var body = EnterpriseBody();
        var created = await (await signedIn.Client.PostJsonAsync("/api/v1/enterprises", body).ShouldBe(Created)).ReadJsonAsync();
        var enterpriseId = (string)created["id"]!;

        // The next refresh carries the new membership, and with it the enterprise's own endpoints.
        var owner = await Host.RefreshAsync(signedIn);
        owner.Session["membership"]!["kind"]!.GetValue<string>().ShouldBe("enterprise");
        owner.Session["membership"]!["role"]!.GetValue<string>().ShouldBe("owner");
        owner.Session["membership"]!["organisationId"]!.GetValue<string>().ShouldBe(enterpriseId);
        await owner.Client.GetAsync($"/api/v1/enterprises/{enterpriseId}").ShouldBe(OK);
        await owner.Client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(Created);
        var me = await (await owner.Client.GetAsync("/api/v1/auth/me").ShouldBe(OK)).ReadJsonAsync();
        me["user"]!["displayName"]!.GetValue<string>().ShouldBe("王会计");
        me["membership"]!["organisationName"]!.GetValue<string>().ShouldBe((string)body["name"]!);

        var claimant = People.NewLogin("claimant");
        await Host.SignUpAsync(claimant);
        var other = await Host.SignInAsync(claimant);
        var (enterprises, memberships) = (await CountAsync("enterprises"), await CountAsync("memberships"));
        var conflict = await (await other.Client.PostJsonAsync("/api/v1/enterprises", body).ShouldBe(Conflict)).ReadJsonAsync();
        ((string)conflict["detail"]!).ShouldContain("invit");
        (await CountAsync("enterprises")).ShouldBe(enterprises);
        (await CountAsync("memberships")).ShouldBe(memberships);
    }

    [Test]
    public async Task An_invitation_is_good_once_for_its_login_until_it_is_withdrawn_or_expires()
    {
        var owner = await NewEnterpriseOwnerAsync();
        var enterpriseId = (string)owner.Session["membership"]!["organisationId"]!;
        var memberLogin = People.NewLogin("member");
        await Host.SignUpAsync(memberLogin, "李出纳");
        var member = await Host.SignInAsync(memberLogin);

        var invitation = await InviteAsync(owner.Client, "enterprise", enterpriseId, "member", memberLogin);
        var accepted = await (await member.Client.PostJsonAsync("/api/v1/invitations/accept", new { code = invitation.Code }).ShouldBe(OK)).ReadJsonAsync();
        accepted["membership"]!["role"]!.GetValue<string>().ShouldBe("member");
        var asMember = await Host.RefreshAsync(member);
        await asMember.Client.GetAsync($"/api/v1/enterprises/{enterpriseId}").ShouldBe(OK);

        // Used twice: refused, and nothing more is stored.
        var memberships = await CountAsync("memberships");
        await RefusedAsync(member.Client, invitation.Code, "used");
        (await CountAsync("memberships")).ShouldBe(memberships);

        // For another login: refused.
        var stranger = await SignedUpAndInAsync("stranger");
        await RefusedAsync(stranger.Client, (await InviteAsync(owner.Client, "enterprise", enterpriseId, "member", memberLogin)).Code, "another login");

        // Withdrawn: refused.
        var withdrawn = await InviteAsync(owner.Client, "enterprise", enterpriseId, "member", login: null);
        await owner.Client.DeleteAsync($"/api/v1/invitations/{withdrawn.Id}").ShouldBe(NoContent);
        await RefusedAsync(stranger.Client, withdrawn.Code, "withdrawn");

        // Expired (seven days by default): refused.
        var expiring = await InviteAsync(owner.Client, "enterprise", enterpriseId, "member", login: null);
        Host.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await RefusedAsync(stranger.Client, expiring.Code, "expired");
        (await CountAsync("memberships")).ShouldBe(memberships);

        // A member may not invite (only the owner), and another enterprise's owner cannot see this one.
        await asMember.Client.PostJsonAsync("/api/v1/invitations", new { organisationKind = "enterprise", organisationId = enterpriseId, role = "member" })
            .ShouldBe(Forbidden);
        var otherOwner = await NewEnterpriseOwnerAsync();
        await otherOwner.Client.PostJsonAsync("/api/v1/invitations", new { organisationKind = "enterprise", organisationId = enterpriseId, role = "member" })
            .ShouldBe(NotFound);
        await otherOwner.Client.DeleteAsync($"/api/v1/invitations/{expiring.Id}").ShouldBe(NotFound);
    }

    [Test]
    public async Task A_refresh_token_is_spent_on_use_and_a_spent_one_presented_again_revokes_the_session()
    {
        var first = await SignedUpAndInAsync("rotation");
        var second = await Host.RefreshAsync(first);
        second.RefreshToken.ShouldNotBe(first.RefreshToken);
        second.AccessToken.ShouldNotBe(first.AccessToken);
        var third = await Host.RefreshAsync(second);

        // The first token again, as a thief holding a copy would: refused, and the whole session with it.
        await RefreshAsync(first.RefreshToken).ShouldBe(Unauthorized);
        await RefreshAsync(third.RefreshToken).ShouldBe(Unauthorized);
        (await SecurityEventsAsync("refresh_token_reused")).ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Signing_out_ends_the_session()
    {
        var signedIn = await SignedUpAndInAsync("signout");
        await signedIn.Client.PostAsync("/api/v1/auth/sign-out", null).ShouldBe(NoContent);
        await RefreshAsync(signedIn.RefreshToken).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task Deactivating_a_person_ends_their_refreshes_at_once_and_their_sign_ins()
    {
        var login = People.NewLogin("leaver");
        var personId = await Host.SignUpAsync(login);
        var signedIn = await Host.SignInAsync(login);
        await Admin.PostAsync($"/api/v1/admin/people/{personId}/deactivate", null).ShouldBe(NoContent);
        await RefreshAsync(signedIn.RefreshToken).ShouldBe(Unauthorized);
        await Host.TrySignInAsync(login).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task Removing_a_membership_ends_the_refreshes_of_sessions_acting_in_it()
    {
        var owner = await NewEnterpriseOwnerAsync();
        var enterpriseId = (string)owner.Session["membership"]!["organisationId"]!;
        var (login, membershipId) = await Host.InviteNewPersonAsync(owner.Client, "enterprise", enterpriseId, "member");
        var member = await Host.SignInAsync(login);
        member.MembershipId.ShouldBe(membershipId);

        var staff = await (await owner.Client.GetAsync($"/api/v1/memberships?organisationKind=enterprise&organisationId={enterpriseId}").ShouldBe(OK)).ReadJsonAsync();
        staff.AsArray().Select(m => (string)m!["membershipId"]!).ShouldBe([(string)owner.MembershipId!, membershipId], ignoreOrder: true);
        // The last owner stays, so that someone can still invite.
        await owner.Client.DeleteAsync($"/api/v1/memberships/{owner.MembershipId}").ShouldBe(Conflict);
        await owner.Client.DeleteAsync($"/api/v1/memberships/{membershipId}").ShouldBe(NoContent);
        await RefreshAsync(member.RefreshToken).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task Five_failed_sign_ins_lock_the_account_for_fifteen_minutes_and_every_refusal_reads_the_same()
    {
        var login = People.NewLogin("lockout");
        await Host.SignUpAsync(login);
        var unknown = await ProblemAsync(Host.TrySignInAsync(People.NewLogin("nobody")));
        for (var attempt = 1; attempt <= 5; attempt++)
            (await ProblemAsync(Host.TrySignInAsync(login, password: "Wrong-Password-123"))).ShouldBe(unknown);

        // Locked: the right password is refused with the very same answer.
        (await ProblemAsync(Host.TrySignInAsync(login))).ShouldBe(unknown);
        (await SecurityEventsAsync("locked_out", login)).ShouldBe(1);

        Host.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await Host.TrySignInAsync(login).ShouldBe(OK);
    }

    [Test]
    public async Task A_regulator_office_supervises_a_GB_T_2260_division_and_a_code_that_is_none_is_refused_naming_the_region()
    {
        var before = await CountAsync("regulator_offices");
        foreach (var region in new[] { "339999", "3399", "39" })
        {
            var refused = await Admin.PostJsonAsync("/api/v1/admin/regulator-offices", new { name = "不存在的监管局", region }).ShouldBe(BadRequest);
            (await refused.ReadJsonAsync())["errors"]!.AsObject().Select(pair => pair.Key).ShouldBe(["region"]);
        }
        (await CountAsync("regulator_offices")).ShouldBe(before);

        // 江门市 written in GB/T 2260's six digits supervises the city's prefix, so its analysts see 江海区 (440704).
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "regulator", await CreateOfficeAsync("440700"), "analyst");
        var first = await Host.SignInAsync(login);
        await Host.TurnOnMfaAsync(first);
        var analyst = await Host.RefreshAsync(first);
        analyst.Session["membership"]!["region"]!.GetValue<string>().ShouldBe("4407");
        var summary = await (await analyst.Client.GetAsync("/api/v1/statistics/summary?region=440704").ShouldBe(OK)).ReadJsonAsync();
        summary["region"]!.GetValue<string>().ShouldBe("440704");
    }

    [Test]
    public async Task An_analyst_must_set_up_and_then_give_a_second_factor_and_a_code_is_good_once()
    {
        var office = await CreateOfficeAsync("33");
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "regulator", office, "analyst");

        // Before the second factor is set up, the session can do nothing but set it up.
        var first = await Host.SignInAsync(login);
        first.Session["mfaSetupRequired"]!.GetValue<bool>().ShouldBeTrue();
        await first.Client.GetAsync("/api/v1/statistics/summary").ShouldBe(Forbidden);
        var secret = await Host.TurnOnMfaAsync(first);
        var analyst = await Host.RefreshAsync(first);
        analyst.Session["mfaSetupRequired"]!.GetValue<bool>().ShouldBeFalse();
        await analyst.Client.GetAsync("/api/v1/statistics/summary").ShouldBe(OK);

        // From now on the code is owed at every sign-in.
        (await (await Host.TrySignInAsync(login).ShouldBe(Unauthorized)).ReadJsonAsync())["mfaRequired"]!.GetValue<bool>().ShouldBeTrue();
        var code = Host.Totp(secret);
        var wrong = code == "000000" ? "111111" : "000000";
        (await (await Host.TrySignInAsync(login, totp: wrong).ShouldBe(Unauthorized)).ReadJsonAsync())["mfaRequired"]!.GetValue<bool>().ShouldBeTrue();
        var session = await (await Host.TrySignInAsync(login, totp: code).ShouldBe(OK)).ReadJsonAsync();
        session["membership"]!["role"]!.GetValue<string>().ShouldBe("analyst");
        await Host.TrySignInAsync(login, totp: code).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task An_admin_resets_a_lost_second_factor_the_sessions_end_and_a_new_one_is_set_up_at_the_next_sign_in()
    {
        var office = await CreateOfficeAsync("33");
        (await (await Admin.GetAsync("/api/v1/admin/regulator-offices").ShouldBe(OK)).ReadJsonAsync()).AsArray()
            .Select(item => (string)item!["id"]!).ShouldContain(office);
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "regulator", office, "analyst");
        var first = await Host.SignInAsync(login);
        var secret = await Host.TurnOnMfaAsync(first);
        var analyst = await Host.SignInAsync(login, secret);
        var personId = (string)analyst.Session["user"]!["id"]!;

        await RegulatorClient("33").PostAsync($"/api/v1/admin/people/{personId}/mfa/reset", null).ShouldBe(Forbidden);
        await Admin.PostAsync($"/api/v1/admin/people/{Guid.NewGuid()}/mfa/reset", null).ShouldBe(NotFound);
        await Admin.PostAsync($"/api/v1/admin/people/{personId}/mfa/reset", null).ShouldBe(NoContent);
        // Nothing left to reset: refused, in the handler's words.
        var refused = await (await Admin.PostAsync($"/api/v1/admin/people/{personId}/mfa/reset", null).ShouldBe(Conflict)).ReadJsonAsync();
        ((string?)refused["detail"]).ShouldBe("This person has no second factor on; there is nothing to reset.");

        await Host.ClientAs(null).PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = analyst.RefreshToken }).ShouldBe(Unauthorized);
        var again = await Host.SignInAsync(login);
        again.Session["mfaSetupRequired"]!.GetValue<bool>().ShouldBeTrue();
        await Host.TurnOnMfaAsync(again);
        (await Host.RefreshAsync(again)).Session["membership"]!["role"]!.GetValue<string>().ShouldBe("analyst");
        var events = await (await Admin.GetAsync($"/api/v1/admin/security-events?kind=mfa_reset&login={Uri.EscapeDataString(login)}").ShouldBe(OK)).ReadJsonAsync();
        ((long)events["total"]!).ShouldBe(1);
    }

    [Test]
    public async Task An_admin_lists_the_targets_set_for_a_year()
    {
        await Admin.PutJsonAsync("/api/v1/statistics/targets", new { regionCode = "33", year = 2027, approvedAmount = 20_000_000_000m, approvedCount = 1150 }).ShouldBe(OK);
        var targets = await (await Admin.GetAsync("/api/v1/statistics/targets?year=2027").ShouldBe(OK)).ReadJsonAsync();
        targets.AsArray().Select(target => ((string)target!["regionCode"]!, (decimal)target["approvedAmount"]!, (int)target["approvedCount"]!))
            .ShouldBe([("33", 20_000_000_000m, 1150)]);
        await RegulatorClient("33").GetAsync("/api/v1/statistics/targets?year=2027").ShouldBe(Forbidden);
        await Admin.GetAsync("/api/v1/statistics/targets?year=1999").ShouldBe(BadRequest);
    }

    [Test]
    public async Task A_recovery_code_stands_in_for_the_authenticator_once()
    {
        var signedIn = await SignedUpAndInAsync("recovery");
        var login = (string)signedIn.Session["user"]!["login"]!;
        var setup = await (await signedIn.Client.PostJsonAsync("/api/v1/auth/mfa/setup", new { }).ShouldBe(OK)).ReadJsonAsync();
        ((string)setup["otpauthUri"]!).ShouldStartWith("otpauth://totp/");
        var confirmed = await (await signedIn.Client.PostJsonAsync("/api/v1/auth/mfa/confirm", new { code = Host.Totp((string)setup["secret"]!) })
            .ShouldBe(OK)).ReadJsonAsync();
        var recoveryCode = (string)confirmed["recoveryCodes"]![0]!;

        await Host.TrySignInAsync(login, totp: recoveryCode).ShouldBe(OK);
        await Host.TrySignInAsync(login, totp: recoveryCode).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task A_password_is_reset_with_the_code_sent_through_the_outbox_and_every_session_ends()
    {
        var login = People.NewLogin("forgetful");
        await Host.SignUpAsync(login);
        var before = await Host.SignInAsync(login);
        var messages = await CountAsync("message_outbox");
        // An unknown login gets the same answer, and no message.
        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset", new { login = People.NewLogin("nobody") }).ShouldBe(Accepted);
        (await CountAsync("message_outbox")).ShouldBe(messages);

        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset", new { login }).ShouldBe(Accepted);
        var code = await Host.ResetCodeSentToAsync(login);

        var wrongCode = code == "000000" ? "111111" : "000000";
        var wrong = await (await Anonymous.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { login, code = wrongCode, newPassword = "Another-Secret-2026" })
            .ShouldBe(BadRequest)).ReadJsonAsync();
        wrong["errors"]!["code"].ShouldNotBeNull();
        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { login, code, newPassword = "Another-Secret-2026" }).ShouldBe(NoContent);
        await Anonymous.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { login, code, newPassword = "Yet-Another-Secret-2026" }).ShouldBe(BadRequest);

        await Host.TrySignInAsync(login).ShouldBe(Unauthorized);
        await Host.TrySignInAsync(login, password: "Another-Secret-2026").ShouldBe(OK);
        await RefreshAsync(before.RefreshToken).ShouldBe(Unauthorized);
    }

    [Test]
    public async Task An_api_client_gets_tokens_by_client_credentials_and_acts_on_its_own_institutions_inbox_only()
    {
        // Kunshan (32) is this test's own: the request is dispatched to these two institutions, whatever other tests list.
        var (institution, manager) = await NewInstitutionWithManagerAsync("32");
        var otherInstitution = await RegisterInstitutionAsync("32");
        await ListProductAsync(institution);
        await ListProductAsync(otherInstitution);
        var requestId = await SubmitRequestAsync(await RegisterEnterpriseAsync("320583"));
        await Host.RunDueJobsAsync();

        var created = await (await manager.Client.PostJsonAsync($"/api/v1/institutions/{institution}/api-clients", new { name = "信贷系统" })
            .ShouldBe(Created)).ReadJsonAsync();
        var (clientId, secret) = ((string)created["clientId"]!, (string)created["clientSecret"]!);
        var token = await (await TokenAsync(clientId, secret).ShouldBe(OK)).ReadJsonAsync();
        token["token_type"]!.GetValue<string>().ShouldBe("Bearer");
        token["expires_in"]!.GetValue<int>().ShouldBe(900);
        var system = Host.ClientAs(null);
        system.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)token["access_token"]!);

        var inbox = await (await system.GetAsync("/api/v1/dispatches").ShouldBe(OK)).ReadJsonAsync();
        var own = inbox["items"]!.AsArray().Single(d => (string)d!["requestId"]! == requestId)!;
        var others = await (await InstitutionClient(otherInstitution).GetAsync("/api/v1/dispatches").ShouldBe(OK)).ReadJsonAsync();
        var theirs = (string)others["items"]!.AsArray().Single(d => (string)d!["requestId"]! == requestId)!["id"]!;
        await system.GetAsync($"/api/v1/dispatches/{theirs}").ShouldBe(NotFound);
        await system.PostJsonAsync($"/api/v1/dispatches/{theirs}/accept", new { }).ShouldBe(NotFound);
        await system.PostJsonAsync($"/api/v1/dispatches/{(string)own["id"]!}/accept", new { }).ShouldBe(OK);

        // The timeline names the client and its institution as who accepted; the client's last use is recorded.
        var request = await (await EnterpriseClient(await EnterpriseOfAsync(requestId)).GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(OK)).ReadJsonAsync();
        var accepted = request["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "accepted")!;
        accepted["actor"]!["name"]!.GetValue<string>().ShouldBe("信贷系统");
        var clients = await (await manager.Client.GetAsync($"/api/v1/institutions/{institution}/api-clients").ShouldBe(OK)).ReadJsonAsync();
        clients[0]!["lastUsedAt"].ShouldNotBeNull();

        // A wrong secret, another grant, and a revoked client are refused in RFC 6749's words.
        (await (await TokenAsync(clientId, secret + "x").ShouldBe(Unauthorized)).ReadJsonAsync())["error"]!.GetValue<string>().ShouldBe("invalid_client");
        (await (await TokenAsync(clientId, secret, grant: "password").ShouldBe(BadRequest)).ReadJsonAsync())["error"]!.GetValue<string>().ShouldBe("unsupported_grant_type");
        await manager.Client.DeleteAsync($"/api/v1/institutions/{institution}/api-clients/{clientId}").ShouldBe(NoContent);
        await TokenAsync(clientId, secret).ShouldBe(Unauthorized);

        // Only the manager looks after API clients: another institution's manager sees nothing of them.
        var (_, otherManager) = await NewInstitutionWithManagerAsync();
        await otherManager.Client.PostJsonAsync($"/api/v1/institutions/{institution}/api-clients", new { name = "x" }).ShouldBe(NotFound);
    }

    [Test]
    public async Task The_timeline_names_the_officer_who_accepted_and_hides_other_institutions_people()
    {
        // Jiangmen (44) is this test's own: the request is dispatched to this institution, whatever other tests list.
        var (institution, manager) = await NewInstitutionWithManagerAsync("44");
        var (officerLogin, _) = await Host.InviteNewPersonAsync(manager.Client, "institution", institution, "officer");
        await ListProductAsync(institution);
        var owner = await NewEnterpriseOwnerAsync("440704");
        var requestId = (string)(await (await owner.Client.PostJsonAsync("/api/v1/financing-requests", RequestBody()).ShouldBe(Created)).ReadJsonAsync())["id"]!;
        await Host.RunDueJobsAsync();

        var officer = await Host.SignInAsync(officerLogin);
        var dispatch = (await (await officer.Client.GetAsync("/api/v1/dispatches").ShouldBe(OK)).ReadJsonAsync())["items"]!.AsArray()
            .Single(d => (string)d!["requestId"]! == requestId)!;
        await officer.Client.PostJsonAsync($"/api/v1/dispatches/{(string)dispatch["id"]!}/accept", new { }).ShouldBe(OK);

        var seenByOwner = await (await owner.Client.GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(OK)).ReadJsonAsync();
        var accepted = seenByOwner["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "accepted")!;
        accepted["actor"]!["name"]!.GetValue<string>().ShouldBe("测试用户");
        accepted["actor"]!["organisation"]!.GetValue<string>().ShouldBe("测试农商银行");
        seenByOwner["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "submitted")!["actor"]!["name"].ShouldNotBeNull();

        // The institution sees its own officer's name, not the enterprise's people.
        var seenByOfficer = await (await officer.Client.GetAsync($"/api/v1/financing-requests/{requestId}").ShouldBe(OK)).ReadJsonAsync();
        seenByOfficer["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "accepted")!["actor"].ShouldNotBeNull();
        seenByOfficer["timeline"]!.AsArray().Single(e => (string)e!["event"]! == "submitted")!["actor"].ShouldBeNull();
    }

    [Test]
    public async Task Product_changes_name_who_made_them_in_the_audit_log()
    {
        var (institution, manager) = await NewInstitutionWithManagerAsync();
        var product = (string)(await (await manager.Client.PostJsonAsync("/api/v1/products", ProductBody()).ShouldBe(Created)).ReadJsonAsync())["id"]!;
        await using var connection = await Host.Service<Db>().OpenAsync();
        var entry = await connection.QuerySingleAsync<(string Action, string ActorName, string ActorOrganisation)>(
            "SELECT action, actor_name, actor_organisation FROM audit_log WHERE subject = 'product' AND subject_id = @Product", new { Product = product });
        entry.ShouldBe(("listed", "测试用户", "测试农商银行"));
        institution.ShouldNotBeEmpty();
    }

    [Test]
    public async Task An_admin_lists_sign_ins_and_failures_as_security_events()
    {
        var signedIn = await SignedUpAndInAsync("audited");
        var login = (string)signedIn.Session["user"]!["login"]!;
        await Host.TrySignInAsync(login, password: "Wrong-Password-123").ShouldBe(Unauthorized);
        var events = await (await Admin.GetAsync($"/api/v1/admin/security-events?login={Uri.EscapeDataString(login)}").ShouldBe(OK)).ReadJsonAsync();
        events["items"]!.AsArray().Select(e => (string)e!["kind"]!).ShouldBe(["sign_in_failed", "signed_in", "signed_up"]);
        await signedIn.Client.GetAsync("/api/v1/admin/security-events").ShouldBe(Forbidden);
    }

    [Test]
    public async Task The_first_admin_made_by_the_command_line_sets_up_a_second_factor_and_then_acts_as_admin()
    {
        var login = People.NewLogin("firstadmin");
        await using (var scope = Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateAdmin(login, People.Password, "平台管理员"));

        var setupOnly = await Host.SignInAsync(login);
        setupOnly.Session["mfaSetupRequired"]!.GetValue<bool>().ShouldBeTrue();
        await setupOnly.Client.GetAsync("/api/v1/admin/people").ShouldBe(Forbidden);
        await Host.TurnOnMfaAsync(setupOnly);
        var admin = await Host.RefreshAsync(setupOnly);
        await admin.Client.GetAsync("/api/v1/admin/people").ShouldBe(OK);
        (await SecurityEventsAsync("admin_created", login)).ShouldBe(1);
    }

    // ------------------------------------------------------------------ helpers

    private sealed record Invitation(string Id, string Code);

    private async Task<SignedIn> SignedUpAndInAsync(string prefix)
    {
        var login = People.NewLogin(prefix);
        await Host.SignUpAsync(login);
        return await Host.SignInAsync(login);
    }

    private async Task<SignedIn> NewEnterpriseOwnerAsync(string region = "330421")
    {
        var signedIn = await SignedUpAndInAsync("owner");
        await signedIn.Client.PostJsonAsync("/api/v1/enterprises", EnterpriseBody(region)).ShouldBe(Created);
        return await Host.RefreshAsync(signedIn);
    }

    /// <summary>An institution (registered by an admin) and its first manager, invited by the admin, signed in with a second factor.</summary>
    private async Task<(string Institution, SignedIn Manager)> NewInstitutionWithManagerAsync(string region = "33")
    {
        var institution = await RegisterInstitutionAsync(region);
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "institution", institution, "manager");
        var setupOnly = await Host.SignInAsync(login);
        await Host.TurnOnMfaAsync(setupOnly);
        return (institution, await Host.RefreshAsync(setupOnly));
    }

    private async Task<string> CreateOfficeAsync(string region) =>
        (string)(await (await Admin.PostJsonAsync("/api/v1/admin/regulator-offices", new { name = "浙江省金融监管（测试）", region }).ShouldBe(Created)).ReadJsonAsync())["id"]!;

    private static async Task<Invitation> InviteAsync(HttpClient steward, string kind, string organisationId, string role, string? login)
    {
        var created = await (await steward.PostJsonAsync("/api/v1/invitations", new { organisationKind = kind, organisationId, role, login })
            .ShouldBe(Created)).ReadJsonAsync();
        return new Invitation((string)created["id"]!, (string)created["code"]!);
    }

    private static async Task RefusedAsync(HttpClient client, string code, string why)
    {
        var problem = await (await client.PostJsonAsync("/api/v1/invitations/accept", new { code }).ShouldBe(BadRequest)).ReadJsonAsync();
        ((string)problem["errors"]!["code"]![0]!).ShouldContain(why);
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        Anonymous.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    private Task<HttpResponseMessage> TokenAsync(string clientId, string secret, string grant = "client_credentials") =>
        Anonymous.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grant, ["client_id"] = clientId, ["client_secret"] = secret,
        }));

    /// <summary>A refusal's status and words, without its trace id.</summary>
    private static async Task<string> ProblemAsync(Task<HttpResponseMessage> call)
    {
        var response = await call;
        var body = await response.ReadJsonAsync();
        return $"{(int)response.StatusCode} {body["title"]} {body["detail"]} {body["mfaRequired"]}";
    }

    private async Task<long> SecurityEventsAsync(string kind, string? login = null)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM security_events WHERE kind = @Kind AND (@Login IS NULL OR login = @Login)",
            new { Kind = kind, Login = login });
    }

    private async Task<string> EnterpriseOfAsync(string requestId)
    {
        await using var connection = await Host.Service<Db>().OpenAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT enterprise_id FROM financing_requests WHERE id = @Id", new { Id = requestId }) ?? "";
    }
}

/// <summary>ASP.NET Core's rate limiter per client address and the per-login limit, with small limits and day-long windows.</summary>
public sealed class AccountRateLimitTests() : ApiTestBase(Providers.Sqlite)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Accounts:AttemptsPerAddress"] = "8",
        ["Accounts:AttemptsPerLogin"] = "3",
        // A window longer than any run, so that no window boundary falls inside the test.
        ["Accounts:AttemptsWindow"] = "1.00:00:00",
    };

    [Test]
    public async Task One_login_is_tried_three_times_and_one_address_eight_times_then_each_is_told_to_wait()
    {
        var login = People.NewLogin("target");
        for (var attempt = 1; attempt <= 3; attempt++) await Host.TrySignInAsync(login).ShouldBe(HttpStatusCode.Unauthorized);
        var perLogin = await Host.TrySignInAsync(login).ShouldBe(HttpStatusCode.TooManyRequests);
        perLogin.Headers.RetryAfter.ShouldNotBeNull();

        // Four calls so far from this address; four more pass, the ninth is refused by the address limit.
        for (var attempt = 5; attempt <= 8; attempt++) await Host.TrySignInAsync(People.NewLogin("other")).ShouldBe(HttpStatusCode.Unauthorized);
        var perAddress = await Host.TrySignInAsync(People.NewLogin("other")).ShouldBe(HttpStatusCode.TooManyRequests);
        perAddress.Headers.RetryAfter.ShouldNotBeNull();
        (await perAddress.ReadJsonAsync())["title"]!.GetValue<string>().ShouldBe("Too many requests");
    }
}
