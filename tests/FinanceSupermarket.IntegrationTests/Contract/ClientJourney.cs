using System.Net.Http.Headers;
using FinanceSupermarket.Api.Infrastructure.Auth;
using Role = FinanceSupermarket.Domain.Role;
using FinanceSupermarket.IntegrationTests.Contract.Client;
using FinanceSupermarket.IntegrationTests.Contract.Client.Models;
using FinanceSupermarket.IntegrationTests.Infrastructure;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace FinanceSupermarket.IntegrationTests.Contract;

/// <summary>
/// The main journey as a bank's integrator writes it, with the client Kiota generated from the served document (obj/contract)
/// and its typed models only: people sign up and in, an owner registers the enterprise and submits a need (retried with
/// the same Idempotency-Key), reads its matches; the institution's own system takes a client-credentials token, reads its
/// inbox, accepts and posts the result; a regulator reads the figures. The setup a platform operator does (institution,
/// product, the institution's manager) goes through the same client where it can.
/// </summary>
public abstract class ClientJourney(string provider) : ApiTestBase(provider)
{
    /// <summary>The journey against the given address: the host itself, or a proxy in front of it.</summary>
    protected async Task RunJourneyAsync(Uri baseUrl)
    {
        var admin = Client(baseUrl, Token(Role.Admin));
        var institution = await admin.Api.V1.Institutions.PostAsync(new InstitutionProfile
        {
            Name = "嘉善测试农商银行", Kind = InstitutionKind.Bank, RegionCodes = ["33"],
        });
        var product = await Client(baseUrl, Token(Role.Institution, institutionId: institution!.Id)).Api.V1.Products.PostAsync(new ProductTerms
        {
            Name = "科技信用贷", Kind = ProductKind.Credit_loan, MinAmount = 100_000m, MaxAmount = 5_000_000m, MinTermMonths = 6, MaxTermMonths = 36,
            MinRate = 3.85m, MaxRate = 6.5m, GuaranteeModes = [GuaranteeMode.Credit], MinYearsInBusiness = 0, FirstLoanFriendly = true, ApprovalDays = 3,
        });

        // The institution's manager (invited by the admin, second factor set up) registers the bank's system as an API client.
        var manager = Client(baseUrl, await ManagerTokenAsync(institution.Id!));
        var system = await manager.Api.V1.Institutions[institution.Id].ApiClients.PostAsync(new CreateApiClientNameBody { Name = "信贷系统" });

        // An owner signs up, signs in, registers the enterprise and refreshes into its membership.
        var anonymous = Client(baseUrl, token: null);
        var login = People.NewLogin("kiota");
        await anonymous.Api.V1.Auth.SignUp.PostAsync(new SignUp { Login = login, Password = People.Password, DisplayName = "王经理" });
        var session = await anonymous.Api.V1.Auth.SignIn.PostAsync(new SignIn { Login = login, Password = People.Password });
        var profile = await Client(baseUrl, session!.AccessToken).Api.V1.Enterprises.PostAsync(new RegisterEnterprise
        {
            CreditCode = NewCreditCode(), Name = "嘉善接口测试电子有限公司", RegionCode = "330421", IndustryCode = "C39", Size = EnterpriseSize.Small,
            Employees = 80, AnnualRevenue = 30_000_000m, EstablishedOn = new Date(2015, 6, 1), Tags = [EnterpriseTag.Tech_sme],
            TaxCreditLevel = TaxCreditLevel.A, HasLoanHistory = true,
        });
        profile!.Size.ShouldBe(EnterpriseSize.Small);
        var ownerSession = await anonymous.Api.V1.Auth.Refresh.PostAsync(new RefreshSession { RefreshToken = session.RefreshToken });
        var owner = Client(baseUrl, ownerSession!.AccessToken);

        // A need, sent twice with the same key: one request, the second answer marked as the replay.
        var terms = new RequestTerms
        {
            Amount = 1_000_000.50m, TermMonths = 12, Purpose = FinancingPurpose.Working_capital, GuaranteeModes = [GuaranteeMode.Credit],
            MaxRate = 6.125m, Description = "采购原材料",
        };
        var key = Guid.NewGuid().ToString();
        var (first, firstHeaders) = await SubmitAsync(owner, terms, key);
        var (replay, replayHeaders) = await SubmitAsync(owner, terms, key);
        first!.Status.ShouldBe(RequestStatus.Submitted);
        replay!.Id.ShouldBe(first.Id);
        firstHeaders.ContainsKey("Idempotent-Replayed").ShouldBeFalse();
        replayHeaders["Idempotent-Replayed"].ShouldBe(["true"]);

        // A bad need is a typed problem naming the field.
        var refused = await Should.ThrowAsync<ValidationProblemDetails>(() => owner.Api.V1.FinancingRequests.PostAsync(new RequestTerms
        {
            Amount = 0m, TermMonths = 12, Purpose = FinancingPurpose.Working_capital, GuaranteeModes = [GuaranteeMode.Credit],
        }));
        refused.Status.ShouldBe(400);
        refused.Errors!.AdditionalData.Keys.ShouldBe(["amount"]);

        // Published and dispatched by the platform's jobs; the owner reads the ranked, explained products.
        await Host.RunDueJobsAsync();
        var matches = await owner.Api.V1.FinancingRequests[first.Id].Matches.GetAsync();
        matches!.Items!.Single().Product!.Id.ShouldBe(product!.Id);
        matches.Items!.Single().Reasons.ShouldNotBeEmpty();

        // The bank's system: a client-credentials token, its inbox, accept, approve.
        var token = await anonymous.Api.V1.Auth.Token.PostAsync(new IssueClientTokenGrant
        {
            GrantType = IssueClientTokenGrant_grant_type.Client_credentials, ClientId = system!.ClientId, ClientSecret = system.ClientSecret,
        });
        token!.TokenType.ShouldBe("Bearer");
        var bank = Client(baseUrl, token.AccessToken);
        var inbox = await bank.Api.V1.Dispatches.GetAsync(request => request.QueryParameters.Status = "pending");
        var dispatch = inbox!.Items!.Single(item => item.RequestId == first.Id);
        (await bank.Api.V1.Dispatches[dispatch.Id].Accept.PostAsync())!.Status.ShouldBe(DispatchStatus.Accepted);
        var answered = await bank.Api.V1.Dispatches[dispatch.Id].Feedback.PostAsync(new FeedbackBody
        {
            Outcome = FeedbackOutcome.Approved, Amount = 1_000_000.50m, Rate = 4.355m, TermMonths = 12,
        });
        (answered!.Outcome, answered.ApprovedAmount, answered.ApprovedRate).ShouldBe(("approved", 1_000_000.50m, 4.355m));
        (await owner.Api.V1.FinancingRequests[first.Id].GetAsync())!.Status.ShouldBe(RequestStatus.Resolved);

        // The regulator of the province reads the figures: the approved amount to the fen, exactly.
        var summary = await Client(baseUrl, Token(Role.Regulator, region: "33")).Api.V1.Statistics.Summary.GetAsync();
        (summary!.Figures!.ApprovedCount, summary.Figures.ApprovedAmount, summary.Figures.ApprovedAverageRate).ShouldBe((1, 1_000_000.50m, 4.355m));
    }

    private static async Task<(SubmitRequestSubmitted? Body, IDictionary<string, IEnumerable<string>> Headers)> SubmitAsync(
        PlatformClient owner, RequestTerms terms, string idempotencyKey)
    {
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        var body = await owner.Api.V1.FinancingRequests.PostAsync(terms, request =>
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            request.Options.Add(headers);
        });
        return (body, headers.ResponseHeaders.ToDictionary(pair => pair.Key, pair => (IEnumerable<string>)pair.Value, StringComparer.OrdinalIgnoreCase));
    }

    private async Task<string> ManagerTokenAsync(string institutionId)
    {
        var (login, _) = await Host.InviteNewPersonAsync(Admin, "institution", institutionId, "manager");
        var signedIn = await Host.SignInAsync(login);
        await Host.TurnOnMfaAsync(signedIn);
        return (await Host.RefreshAsync(signedIn)).AccessToken;
    }

    private string Token(Role role, string? institutionId = null, string? region = null) =>
        Host.Service<TokenIssuer>().Issue(role, null, institutionId, region);

    /// <summary>The generated client over Kiota's own HttpClient (its middleware, e.g. the headers inspection, included).</summary>
    private static PlatformClient Client(Uri baseUrl, string? token)
    {
        var http = KiotaClientFactory.Create();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new PlatformClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
        });
    }
}

/// <summary>The journey straight against the host, on SQLite and PostgreSQL.</summary>
[TestFixtureSource(typeof(Providers), nameof(Providers.All))]
public sealed class ClientJourneyTests(string provider) : ClientJourney(provider)
{
    [Test]
    public Task A_bank_integrates_from_the_document_alone() => RunJourneyAsync(Anonymous.BaseAddress!);
}
