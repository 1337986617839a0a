using System.CommandLine;
using FinanceSupermarket.Cli;

// Every Command subclass of this assembly (Commands/*.cs) is a subcommand: adding a command is adding its file.
var root = new RootCommand("Finance Supermarket command line: database migrations, development tokens, demo data.");
foreach (var option in PlatformSettings.Options) root.Options.Add(option);
foreach (var type in typeof(PlatformSettings).Assembly.GetTypes()
             .Where(type => type.IsSubclassOf(typeof(Command)) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null)
             .OrderBy(type => type.Name))
    root.Subcommands.Add((Command)Activator.CreateInstance(type)!);

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is not OperationCanceledException)
{
    // A configuration or connection problem: its message says what to fix; the stack trace would only hide it.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
