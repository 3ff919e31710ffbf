using System.CommandLine;
using System.CommandLine.Help;
using FeatureViz.Backends;
using FeatureViz.Cli.Commands;
using FeatureViz.Cli.IO;
using FeatureViz.Cli.Objectives;
using FeatureViz.Onnx;

namespace FeatureViz.Cli;

/// <summary>Where a command writes, and how.</summary>
/// <param name="Out">Standard output (tables, JSON summaries, help).</param>
/// <param name="Err">Standard error (errors, warnings).</param>
/// <param name="Interactive">True when stdout is a terminal: live progress bars instead of periodic lines.</param>
/// <param name="EngineFactory">Creates the render engine for a model path (null: the bundled ResNet18) on a device, with a value range.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Err, bool Interactive, Func<string?, ComputeDevice, (float Min, float Max)?, Render.IRenderEngine> EngineFactory)
{
    /// <summary>Opens a device's backend (tests substitute one that injects device faults).</summary>
    public Func<DeviceSpec, BackendOptions, DeviceBackend> OpenBackend { get; init; } = FeatureVizBackends.Create;

    /// <summary>Reads an environment variable (run-shard's scheduler variables; tests set them in-process).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>The <c>featureviz</c> command line: parsing, dispatch, exit codes and error reporting.</summary>
internal static class Cli
{
    /// <summary>Shown with --verbose only: the stack trace of an error.</summary>
    internal static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces of errors.",
        Recursive = true,
    };

    /// <summary>
    /// Runs the command line <paramref name="args"/> and returns the exit code: 0 ok, 1 error, 2 bad arguments,
    /// 130 interrupted (what was finished is written).
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken, bool interactive = false) =>
        RunAsync(args, new CliContext(output, error, interactive, (path, device, range) => new Render.LibraryRenderEngine(path, device, range)), cancellationToken);

    /// <summary>Runs with an explicit context (tests substitute the render engine).</summary>
    internal static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        FeatureVizBackends.RegisterDefault();
        var (output, error) = (context.Out, context.Err);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        bool verbose = parse.GetValue(Verbose);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var e in parse.Errors) error.WriteLine($"error: {e.Message}");
            string command = string.Join(' ', CommandPath(parse.CommandResult.Command));
            error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            var config = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {CliErrors.OneLine(e)}");
            return ExitCodes.Usage;
        }
        catch (ObjectiveSyntaxException e)
        {
            error.WriteLine($"error: --objective: {CliErrors.OneLine(e)}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Interrupted.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (ComputeDevice.OutOfMemory(e) is not null)
        {
            CliErrors.Report(error, e, verbose);
            error.WriteLine("hint: --fallback cpu retries on the CPU when the device runs out of memory.");
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is OnnxImportException or ArgumentException or NpyFormatException or IOException
                                      or UnauthorizedAccessException or InvalidOperationException or NotImplementedException
                                      or NotSupportedException or InvalidDataException)
        {
            CliErrors.Report(error, e, verbose);
            return ExitCodes.Error;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else (e.g. an optimization that diverged) is still an error of the run, not a crash.
            CliErrors.Report(error, e, verbose, withType: true);
            return ExitCodes.Error;
        }
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            """
            featureviz: feature visualizations of ONNX vision models, computed in managed .NET (no native ML runtime).

            Examples:
              featureviz render                                   # channels of a middle ResNet18 layer -> ./featureviz-out
              featureviz render --objective channel:42:0-7 --steps 256
              featureviz gallery --model model.onnx --layer conv3 --channels 0-63
              featureviz layers --model model.onnx
              featureviz accentuate --image photo.jpg --objective channel:ReLU315_Output_0:0-3
              featureviz eval --model model.onnx --input input=x.npy --output-dir out
              featureviz bench --threads 1 --json                 # forward, gradient and step times vs the FMA peak
              featureviz plan --model model.onnx --out atlas      # then run-shard on many machines, then merge
            """);
        root.Add(Verbose);
        root.Add(RenderCommand.Create(context));
        root.Add(GalleryCommand.Create(context));
        root.Add(AccentuateCommand.Create(context));
        root.Add(LayersCommand.Create(context));
        root.Add(EvalCommand.Create(context));
        root.Add(GradCommand.Create(context));
        root.Add(BenchCommand.Create(context));
        root.Add(ExamplesCommand.Create(context));
        root.Add(PlanCommand.Create(context));
        root.Add(RunShardCommand.Create(context));
        root.Add(MergeCommand.Create(context));
        return root;
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c; s = c.Parents.FirstOrDefault())
            names.Insert(0, c is RootCommand ? "featureviz" : c.Name);
        return names;
    }
}
