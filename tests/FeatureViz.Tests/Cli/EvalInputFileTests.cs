using System.Diagnostics;
using FeatureViz.Cli.Commands;
using FeatureViz.Cli.IO;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// eval and grad read only what they should (issue 9, defect 5 and Build 2, 5): inputs of the declared shape, regular
/// files only, and one output file per tensor even where file-safe names collide.
/// </summary>
public class EvalInputFileTests
{
    private static float[] X => EvalGradCommandTests.X;

    [Fact]
    public async Task AnInputOfAnotherStaticShapeIsRefusedNamingInputAndBothShapes()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        // [3, 4] broadcasts through the model's ops, so only the declared shape [2, 4] can catch it.
        Npy.Write(x, new float[12], [3, 4]);
        var (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("--input", err);
        Assert.Contains("'x'", err);
        Assert.Contains("[3, 4] (12 values)", err);
        Assert.Contains("[2, 4] (8 values)", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")) && Directory.EnumerateFiles(Path.Combine(dir, "out")).Any());

        string c = Path.Combine(dir, "c.npy");
        Npy.Write(c, new float[8], [2, 4]);
        (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", c, "--wrt", "x", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--input", err);
    }

    [Fact]
    public async Task AnImageOf27x29ForADeclared28x28IsRefused()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string x = Path.Combine(dir, "x.npy");
        Npy.Write(x, new float[3 * 15 * 17], [1, 3, 15, 17]);
        var (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"image={x}", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("[1, 3, 15, 17] (765 values)", err);
        Assert.Contains("[1, 3, 16, 16] (768 values)", err);
    }

    [Fact]
    public async Task DevicesAndFifosAreRefusedAtOnceNamingTheOption()
    {
        if (!File.Exists("/dev/zero")) return;
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        Npy.Write(x, X, [2, 4]);
        var clock = Stopwatch.StartNew();
        var (code, _, err) = await CliHarness.Run("eval", "--model", "/dev/zero", "--input", $"x={x}", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --model:", err);
        Assert.Contains("not a regular file", err);
        (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", "x=/dev/zero", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --input:", err);
        (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", "/dev/zero", "--wrt", "x", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --cotangent:", err);
        (code, _, err) = await CliHarness.Run("layers", "--model", dir);
        Assert.Equal(2, code);
        Assert.Contains("is a folder", err);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");

        string fifo = Path.Combine(dir, "fifo.npy");
        if (!SpecialFiles.MakeFifo(fifo)) return;
        var run = CliHarness.Run("eval", "--model", model, "--input", $"x={fifo}", "--output-dir", Path.Combine(dir, "out"));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) == run, "eval with a FIFO as input hangs");
        Assert.Equal(2, (await run).Code);
    }

    [Fact]
    public async Task CollidingTensorNamesGetSuffixesAndTheMappingIsPrinted()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteCollidingNames(dir);
        string x = Path.Combine(dir, "x.npy");
        Npy.Write(x, X, [2, 4]);
        string outDir = Path.Combine(dir, "out");
        var (code, output, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--output-dir", outDir);
        Assert.True(code == 0, err);
        Assert.Equal(4, Directory.EnumerateFiles(outDir, "*.npy").Count());
        var expected = new Dictionary<string, Func<float, float>>
        {
            ["a/b"] = v => Math.Max(v, 0), ["a:b"] = v => -v, ["a_b"] = Math.Abs, ["A/B"] = v => v,
        };
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        foreach (var (name, f) in expected)
        {
            // Each line maps a tensor to its file; the file holds that tensor.
            var line = Assert.Single(lines, l => l.StartsWith(name + " [2, 4] -> ", StringComparison.Ordinal));
            string file = line[(line.IndexOf("-> ", StringComparison.Ordinal) + 3)..].Trim();
            var got = Npy.Read(file);
            Assert.Equal(X.Select(f), got.Data);
        }
        // The tensor whose name is already file-safe keeps its own file name.
        Assert.Contains(lines, l => l.StartsWith("a_b [2, 4] -> ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(Path.Combine(outDir, "a_b.npy"), StringComparison.Ordinal));
    }

    [Fact]
    public void UniqueFileNamesNeverRepeatIgnoringCase()
    {
        var names = new[] { "a/b", "a_b_2", "a:b", "a_b", "A_B", "a/b", new string('x', 300), new string('x', 301) };
        var map = ModelLoading.UniqueFileNames(names);
        Assert.Equal(7, map.Count);
        Assert.Equal(map.Count, map.Select(m => m.File).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("a_b_2", map.Single(m => m.Name == "a_b_2").File);
        Assert.Equal("a_b", map.Single(m => m.Name == "a_b").File);
        Assert.All(map, m => Assert.True(m.File.Length <= 210));
    }
}
