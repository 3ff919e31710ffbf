using FeatureViz.Cli.IO;

namespace FeatureViz.Tests.Cli;

/// <summary>eval and grad write the right .npy files for a small hand-built model (expected values: float64 loops).</summary>
public class EvalGradCommandTests
{
    internal static readonly float[] X = [0.3f, -1.2f, 0.8f, 1.1f, 0.4f, -0.6f, -0.05f, 2f];

    [Fact]
    public async Task EvalWritesGraphOutputsAndRequestedTensorsWithFileSafeNames()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        Npy.Write(x, X, [2, 4]);
        string outDir = Path.Combine(dir, "out");

        var (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--output-dir", outDir);
        Assert.True(code == 0, err);
        var (z, o) = TinyOnnxModel.Forward(X);
        var outArr = Npy.Read(Path.Combine(outDir, "out_0.npy"));
        Assert.Equal([2, 4], outArr.Shape);
        for (int i = 0; i < 8; i++) Assert.Equal(o[i], outArr.Data[i], 1e-5);

        (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--output-dir", outDir, "--tensor", "layer/z", "--tensor", "out:0");
        Assert.True(code == 0, err);
        var zArr = Npy.Read(Path.Combine(outDir, "layer_z.npy"));
        Assert.Equal([2, 4], zArr.Shape);
        for (int i = 0; i < 8; i++) Assert.Equal(z[i], zArr.Data[i], 1e-5);
    }

    [Fact]
    public async Task GradWritesTheVectorJacobianProduct()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy"), c = Path.Combine(dir, "c.npy"), g = Path.Combine(dir, "g.npy");
        float[] cot = [1f, -0.5f, 2f, 0.25f, -1f, 0.75f, 1.5f, -2f];
        Npy.Write(x, X, [2, 4]);
        Npy.Write(c, cot, [2, 4]);

        var (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", c, "--wrt", "x", "--out", g);
        Assert.True(code == 0, err);
        var expected = TinyOnnxModel.Vjp(X, cot);
        var got = Npy.Read(g);
        Assert.Equal([2, 4], got.Shape);
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], got.Data[i], 1e-4);
    }

    [Fact]
    public async Task GradRejectsACotangentOfTheWrongShapeAndAnUnknownWrt()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy"), c = Path.Combine(dir, "c.npy");
        Npy.Write(x, X, [2, 4]);
        Npy.Write(c, new float[3], [3]);
        var (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", c, "--wrt", "x", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--cotangent", err);
        (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", c, "--wrt", "y", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--wrt", err);
    }

    [Fact]
    public async Task LayersListsEveryNodeOutput()
    {
        string dir = CliHarness.TempDir();
        var (code, output, err) = await CliHarness.Run("layers", "--model", TinyOnnxModel.Write(dir));
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("INDEX", lines[0]);
        Assert.Contains(lines, l => l.Contains("layer/z") && l.Contains("Add") && l.Contains("[2, 4]"));
        Assert.Contains(lines, l => l.Contains("out:0") && l.Contains("Mul"));
    }

    [Fact]
    public async Task AModelThatCannotLoadGivesExitCode1WithoutAStackTrace()
    {
        string dir = CliHarness.TempDir();
        string bad = Path.Combine(dir, "bad.onnx");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
        var (code, _, err) = await CliHarness.Run("layers", "--model", bad);
        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", err);
        (code, _, err) = await CliHarness.Run("layers", "--model", bad, "--verbose");
        Assert.Equal(1, code);
        Assert.Contains("   at ", err);
    }
}
