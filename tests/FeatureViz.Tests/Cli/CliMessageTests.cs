using FeatureViz.Cli.IO;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;

namespace FeatureViz.Tests.Cli;

/// <summary>What the CLI tells the user (issue 9, defect 5 and Build 6): help, progress lines and errors.</summary>
public class CliMessageTests
{
    [Fact]
    public async Task GalleryHelpNamesItsOwnDefaultFolder()
    {
        var (code, output, _) = await CliHarness.Run("gallery", "--help");
        Assert.Equal(0, code);
        var outLine = Assert.Single(output.Split('\n'), l => l.Contains("--out", StringComparison.Ordinal) && !l.TrimStart().StartsWith("featureviz", StringComparison.Ordinal));
        Assert.Contains(Path.Combine("featureviz-gallery", "<layer>"), outLine);
        Assert.DoesNotContain("featureviz-out", output);
        // render keeps its own default.
        (code, output, _) = await CliHarness.Run("render", "--help");
        Assert.Contains("featureviz-out", output);
    }

    [Fact]
    public void TheEtaKeepsDays()
    {
        Assert.Equal("2d 03:04:05", ProgressReporter.FormatDuration(new TimeSpan(2, 3, 4, 5)));
        Assert.Equal("23:59:59", ProgressReporter.FormatDuration(new TimeSpan(23, 59, 59)));
        var log = new StringWriter();
        var elapsed = TimeSpan.FromHours(1);
        var progress = new ProgressReporter.Plain(log, () => elapsed);
        progress.BeginBatch(0, 1, "channel:x:0", 100);
        progress.Step(new StepReport(1, 100, 0.5));
        // One step took an hour: 99 more take 4 days and 3 hours.
        Assert.Contains("elapsed 01:00:00 eta 4d 03:00:00", log.ToString());
        elapsed = TimeSpan.FromHours(30);
        for (int s = 2; s <= 100; s++) progress.Step(new StepReport(s, 100, 0.5));
        Assert.Contains("step 100/100 loss 0.5 elapsed 1d 06:00:00 eta 00:00:00", log.ToString());
    }

    [Fact]
    public async Task AFailureIsOneLineAndTheStackTraceNeedsVerbose()
    {
        string dir = CliHarness.TempDir();
        string bad = Path.Combine(dir, "bad.onnx");
        File.WriteAllBytes(bad, [8, 1, 2, 3, 4, 5]);
        var (code, _, err) = await CliHarness.Run("layers", "--model", bad);
        Assert.Equal(1, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        (code, _, err) = await CliHarness.Run("layers", "--model", bad, "--verbose");
        Assert.Equal(1, code);
        Assert.Contains("   at ", err);
    }

    [Fact]
    public async Task AnUnknownTensorOrAMalformedNpyIsABadArgumentNamingTheOption()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy"), junk = Path.Combine(dir, "junk.npy");
        Npy.Write(x, new float[8], [2, 4]);
        File.WriteAllText(junk, "not an array");
        var (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={x}", "--tensor", "nope", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --tensor:", line);
        Assert.Contains("'nope'", line);
        Assert.DoesNotContain("(Parameter", line);
        (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "nope", "--cotangent", x, "--wrt", "x", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --tensor:", err);
        (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"x={junk}", "--output-dir", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --input:", err);
        (code, _, err) = await CliHarness.Run("grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", junk, "--wrt", "x", "--out", Path.Combine(dir, "g.npy"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --cotangent:", err);
    }
}
