using System.CommandLine;
using FinanceSupermarket.Api.Features.Accounts;
using FinanceSupermarket.Api.Infrastructure.Database;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace FinanceSupermarket.Cli.Commands;

/// <summary>
/// <c>create-admin --login … [--name …]</c>: migrates, then opens a platform admin's account with the password read from
/// standard input (one line), so that it appears in no shell history or process list. How the first admin of a
/// PostgreSQL or SQL Server deployment comes to be; the admin sets up the second factor at the first sign-in.
/// </summary>
public sealed class CreateAdminCommand : Command
{
    private readonly Option<string> _login = new("--login") { Description = "The admin's mobile number or e-mail address.", Required = true };
    private readonly Option<string> _name = new("--name") { Description = "The name shown for the admin.", DefaultValueFactory = _ => "平台管理员" };

    public CreateAdminCommand() : base("create-admin", "Migrate, then create a platform admin (password from standard input).")
    {
        Options.Add(_login);
        Options.Add(_name);
        SetAction(async (parse, cancellationToken) =>
        {
            if (!Console.IsInputRedirected) Console.Error.Write("Password (at least 10 characters): ");
            var password = Console.ReadLine() ?? "";
            using var host = ApiHost.Build(parse);
            var options = host.Services.GetRequiredService<DatabaseOptions>();
            DatabaseMigrator.Migrate(options.Provider, host.Services.GetRequiredService<Db>().ConnectionString);
            await using var scope = host.Services.CreateAsyncScope();
            try
            {
                var created = await scope.ServiceProvider.GetRequiredService<IMediator>()
                    .Send(new CreateAdmin(parse.GetValue(_login)!, password, parse.GetValue(_name)!), cancellationToken);
                Console.WriteLine(created.UserId);
                Console.Error.WriteLine($"{options.Provider}: admin {parse.GetValue(_login)} created; set up the second factor at the first sign-in.");
                return 0;
            }
            catch (ValidationException invalid)
            {
                foreach (var failure in invalid.Errors) Console.Error.WriteLine($"{failure.PropertyName.ToLowerInvariant()}: {failure.ErrorMessage}");
                return 2;
            }
        });
    }
}
