using FeatureViz.Cli;
using FeatureViz.Cli.Render;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>Runs plan / run-shard / merge in-process with a fake engine and a chosen environment (the scheduler variables).</summary>
internal static class ScaleOutHarness
{
    public static async Task<(int Code, string Out, string Err)> Run(IReadOnlyDictionary<string, string>? environment, IRenderEngine? engine, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var context = new CliContext(o, e, false, (_, _, _) => engine ?? new FakeRenderEngine())
        {
            Environment = name => environment is not null && environment.TryGetValue(name, out var v) ? v : null,
        };
        int code = await FeatureViz.Cli.Cli.RunAsync(args, context, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    public static Task<(int Code, string Out, string Err)> Run(params string[] args) => Run(null, null, args);

    /// <summary>A model file for the fake engine (it never reads it; plan and run-shard hash it).</summary>
    public static string FakeModel(string dir)
    {
        string path = Path.Combine(dir, "fake.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        return path;
    }

    /// <summary>
    /// A plan of the fake model's conv1 (8 channels) and conv2 (16 channels) in batches of 4 (6 items), 3 steps;
    /// returns the plan folder and the model path.
    /// </summary>
    public static async Task<(string Plan, string Model)> FakePlan(params string[] extra)
    {
        string dir = CliHarness.TempDir();
        string model = FakeModel(dir);
        string plan = Path.Combine(dir, "atlas");
        var (code, _, err) = await Run(["plan", "--model", model, "--layers", "conv1,conv2", "--steps", "3", "--batch", "4", "--out", plan, .. extra]);
        Assert.True(code == 0, err);
        return (plan, model);
    }

    /// <summary>The item indices that have a folder under the plan's items/.</summary>
    public static SortedSet<int> ItemFolders(string plan)
    {
        string items = Path.Combine(plan, "items");
        if (!Directory.Exists(items)) return [];
        return new SortedSet<int>(Directory.GetDirectories(items).Select(d => int.Parse(Path.GetFileName(d)["item-".Length..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Every file under <paramref name="dir"/> by relative path ('/'-separated) with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Files(string dir) =>
        new(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);
}
