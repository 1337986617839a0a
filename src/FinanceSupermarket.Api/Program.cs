using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Features.Audit;
using FinanceSupermarket.Api.Features.Blacklist;
using FinanceSupermarket.Api.Features.Calendar;
using FinanceSupermarket.Api.Features.Demo;
using FinanceSupermarket.Api.Features.DevTokens;
using FinanceSupermarket.Api.Features.Dispatches;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Enterprises;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Institutions;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Jobs;
using FinanceSupermarket.Api.Infrastructure.Operations;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FinanceSupermarket.Api.Portal;
using FluentValidation;

var builder = WebApplication.CreateBuilder(args);
var auth = builder.Configuration.ReadAuthOptions(builder.Environment);

builder.Services.AddSingleton(TimeProvider.System);
var database = builder.Configuration.ReadDatabaseOptions();
builder.Services.AddPlatformDatabase(database, builder.Environment.ContentRootPath);
builder.Services.AddPlatformJobs(builder.Configuration, database, database.ResolvedConnectionString(builder.Environment.ContentRootPath));
builder.Services.AddPlatformAuth(auth);
builder.Services.AddPlatformHttp();
builder.Services.AddLoadShedding(builder.Configuration);
builder.Services.AddOperations(builder.Configuration);
builder.Services.AddReferenceData(builder.Configuration);
builder.Services.AddWorkflow(builder.Configuration);
builder.Services.AddCalendar(builder.Configuration);
builder.Services.AddNotifications(builder.Configuration);
builder.Services.AddMatching();
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddAudit(builder.Configuration, auth);
builder.Services.AddPortal();
builder.Services.AddScoped<UnitOfWork>();
builder.Services.AddMediator(options =>
{
    options.ServiceLifetime = ServiceLifetime.Scoped;
    options.PipelineBehaviors = [typeof(ValidationBehavior<,>), typeof(UnitOfWorkBehavior<,>)];
});
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
// The characters of every text of every message, besides each message's own rules.
builder.Services.AddSingleton(typeof(IValidator<>), typeof(CleanTextValidator<>));

var app = builder.Build();
app.MigrateAtStartUp();
app.UseAccounts();
await app.UseNotificationsAsync();
app.UseCalendar();
await app.SeedAtStartUpAsync();
// The matching index holds the catalog before the first request asks for matches.
await app.Services.GetRequiredService<MatchingIndex>().RefreshAsync();

app.UsePlatformHttp();
app.UsePortal();
app.UseAuthentication();
app.UseAuthorization();
app.UseCurrentUser();
app.UseRateLimiter();
app.UsePlatformJobs();
app.UseWorkflow();
app.UseStatisticsFold();
app.UseAudit();

app.MapPlatformDocs();
app.MapOperations();
app.MapEnterprises();
app.MapInstitutions();
app.MapProducts();
app.MapFinancingRequests();
app.MapDispatches();
app.MapNotifications();
app.MapStatistics();
app.MapBlacklist();
app.MapAccounts();
app.MapAudit();
app.MapCalendar();
if (auth.DevTokens == true) MintDevToken.Map(app);
app.MapPortal();

app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
