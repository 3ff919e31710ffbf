using FeatureViz.Cli;
using FeatureViz.Cli.Render;

namespace FeatureViz.Tests.Cli;

/// <summary>Runs the CLI in-process with captured output, and gives each test a fresh temp folder.</summary>
internal static class CliHarness
{
    public static Task<(int Code, string Out, string Err)> Run(IRenderEngine? engine, CancellationToken ct, params string[] args) =>
        Run(engine, interactive: false, ct, args);

    public static async Task<(int Code, string Out, string Err)> Run(IRenderEngine? engine, bool interactive, CancellationToken ct, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var context = new CliContext(o, e, interactive, (_, _, _) => engine ?? new FakeRenderEngine());
        int code = await FeatureViz.Cli.Cli.RunAsync(args, context, ct);
        return (code, o.ToString(), e.ToString());
    }

    public static Task<(int Code, string Out, string Err)> Run(params string[] args) => Run(null, CancellationToken.None, args);

    /// <summary>The CLI with its real engine (the library on the ONNX model).</summary>
    public static async Task<(int Code, string Out, string Err)> RunReal(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(args, o, e, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "featureviz-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
