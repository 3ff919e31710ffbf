using FeatureViz.Cli;
using FeatureViz.Cli.Render;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Issue 9, Build 6: hostile arguments are exit 2 naming the option, in one line without .NET text (no
/// " (Parameter 'x')", no "Actual value was", no stack trace). Each failed on the code before (exit 1 or raw text).
/// </summary>
public class HostileArgumentTests
{
    private static void AssertUsage(int code, string err, string option)
    {
        Assert.True(code == ExitCodes.Usage, $"exit {code}: {err}");
        Assert.Contains(option, err);
        Assert.DoesNotContain("(Parameter '", err);
        Assert.DoesNotContain("Actual value was", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("render")]
    [InlineData("gallery")]
    [InlineData("eval")]
    [InlineData("grad")]
    public async Task OutNamingAFolderThatTakesNoFilesIsAUsageError(string command)
    {
        if (!Directory.Exists("/proc/self")) return; // /proc: a folder that exists but where no file can be created
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        FeatureViz.Cli.IO.Npy.Write(x, new float[8], [2, 4]);
        string[] args = command switch
        {
            "render" => ["render", "--objective", "channel:conv1:0", "--steps", "1", "--size", "8x8", "--out", "/proc"],
            "gallery" => ["gallery", "--layer", "conv1", "--steps", "1", "--size", "8x8", "--out", "/proc"],
            "eval" => ["eval", "--model", model, "--input", $"x={x}", "--output-dir", "/proc"],
            _ => ["grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", x, "--wrt", "x", "--out", "/proc/g.npy"],
        };
        var (code, _, err) = await CliHarness.Run(args);
        AssertUsage(code, err, command == "eval" ? "--output-dir" : "--out");
    }

    [Theory]
    [InlineData("channel:99999:0")]
    [InlineData("channel:nosuch:0")]
    [InlineData("neuron:conv/relu:0@99999,0")]
    public async Task ObjectiveErrorsFromTheLibraryCarryNoParameterText(string objective)
    {
        var (code, err) = await RunOnConvModel("render", "--objective", objective);
        AssertUsage(code, err, "--objective");
    }

    /// <summary>Runs a command on the real engine with TinyOnnxModel's conv model (one step of 16x16 into a fresh folder).</summary>
    private static async Task<(int Code, string Err)> RunOnConvModel(params string[] args)
    {
        string dir = CliHarness.TempDir();
        using var engine = new LibraryRenderEngine(TinyOnnxModel.WriteConv(dir), FeatureViz.Cli.Commands.ComputeDevice.Cpu(1));
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None, [.. args, "--steps", "1", "--size", "16x16", "--out", Path.Combine(dir, "out")]);
        return (code, err);
    }

    [Theory]
    [InlineData("99999")]
    [InlineData("nosuch")]
    [InlineData("")]
    public async Task GalleryLayerErrorsCarryNoParameterText(string layer)
    {
        var (code, err) = await RunOnConvModel("gallery", "--layer", layer);
        AssertUsage(code, err, "--layer");
        if (layer.Length == 0) Assert.Contains("empty", err);
    }

    [Theory]
    [InlineData("layers")]
    [InlineData("render")]
    [InlineData("eval")]
    public async Task AnEmptyModelPathIsAUsageErrorNamingModel(string command)
    {
        string dir = CliHarness.TempDir();
        string[] args = command switch
        {
            "layers" => ["layers", "--model", ""],
            "render" => ["render", "--model", "", "--steps", "1", "--out", Path.Combine(dir, "out")],
            _ => ["eval", "--model", "", "--input", "x=x.npy", "--output-dir", Path.Combine(dir, "out")],
        };
        var (code, _, err) = await CliHarness.Run(args);
        AssertUsage(code, err, "--model");
    }

    [Fact]
    public async Task AnInputGivenTwiceIsAUsageError()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        string y = Path.Combine(dir, "y.npy");
        FeatureViz.Cli.IO.Npy.Write(x, new float[8], [2, 4]);
        FeatureViz.Cli.IO.Npy.Write(y, Enumerable.Repeat(1f, 8).ToArray(), [2, 4]);
        var (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--input", $"x={y}", "--output-dir", Path.Combine(dir, "out"));
        AssertUsage(code, err, "--input");
    }

    [Fact]
    public void AnImporterErrorThatCopiedAnArgumentErrorIsShownWithoutItsParameterText()
    {
        // As OnnxGraph wraps a tensor op's failure (eval of a ConvTranspose with strides of 20,000 showed "(Parameter 'options')").
        var inner = new ArgumentOutOfRangeException("options", 5, "ConvTranspose2d: output [1, 1, 540003, 540003] is over the limit.");
        var e = new FeatureViz.Onnx.OnnxImportException($"Node 'hostile' (ConvTranspose, opset 17) failed on inputs (float[1, 1, 28, 28]): {inner.Message}", inner);
        Assert.Equal("Node 'hostile' (ConvTranspose, opset 17) failed on inputs (float[1, 1, 28, 28]): ConvTranspose2d: output [1, 1, 540003, 540003] is over the limit.",
            CliErrors.OneLine(e));
    }
}
