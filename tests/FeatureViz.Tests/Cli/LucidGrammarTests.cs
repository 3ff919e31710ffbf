using FeatureViz.Cli.IO;
using FeatureViz.Cli.Objectives;
using FeatureViz.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary>The grammar of the Lucid objectives (docs/objective-grammar.md) and a real render of each on mnist-8.</summary>
public class LucidGrammarTests
{
    /// <summary>The CLI with its real engine (the library on the ONNX model).</summary>
    private static Task<(int Code, string Out, string Err)> Real(params string[] args) => CliHarness.RunReal(args);

    [Fact]
    public void ParsesTheLucidAtoms()
    {
        var e = ObjectiveParser.Parse("channel:L:5,5,5,5 - 250*diversity:L + alignment:'a b'");
        Assert.Equal([ObjectiveKind.Channel, ObjectiveKind.Diversity, ObjectiveKind.Alignment], e.Terms.Select(t => t.Atom.Kind));
        Assert.Equal(-250.0, e.Terms[1].Weight);
        Assert.Equal("a b", e.Terms[2].Atom.Layer.Name);

        var i = ObjectiveParser.Parse("interpolate:L:3,7").Terms[0].Atom;
        Assert.Equal((ObjectiveKind.Interpolate, (3, 7), 5), (i.Kind, i.Channels, i.Steps));
        Assert.Equal([0, 1, 2, 3, 4], i.Indices);
        Assert.Equal(8, ObjectiveParser.Parse("interpolate:-2:0,1:8").Terms[0].Atom.Variants);

        var dn = ObjectiveParser.Parse("direction-neuron:L:v.npy@3,4").Terms[0].Atom;
        Assert.Equal((ObjectiveKind.DirectionNeuron, "v.npy", (3, 4)), (dn.Kind, dn.VectorPath, dn.At!.Value));
        Assert.Null(ObjectiveParser.Parse("direction-neuron:L:v.npy").Terms[0].Atom.At);
        Assert.Equal(ObjectiveKind.PositionDirection, ObjectiveParser.Parse("position-direction:L:v.npy").Terms[0].Atom.Kind);

        var l = ObjectiveParser.Parse("logit:'golden retriever' + 0.5*logit:tabby").Terms;
        Assert.Equal(["golden retriever", "tabby"], l.Select(t => t.Atom.Label));
    }

    [Theory]
    [InlineData("interpolate:L:3", "','")]
    [InlineData("interpolate:L:3,4:1", "at least 2 steps")]
    [InlineData("direction-neuron:L:v.npy@3", "','")]
    [InlineData("logit:", "class label")]
    [InlineData("diversty:L", "diversity")]
    public void BadLucidAtoms_NameWhatWasExpected(string text, string expected)
    {
        var e = Assert.Throws<ObjectiveSyntaxException>(() => ObjectiveParser.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task RendersTheLucidAtomsOnMnist_WithLabelsForLogits()
    {
        string dir = CliHarness.TempDir();
        string model = SharedData.PathOf("data", "models", "mnist-8.onnx");
        string labels = Path.Combine(dir, "digits.txt");
        File.WriteAllLines(labels, ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);
        string v = Path.Combine(dir, "v.npy");
        Npy.Write(v, Enumerable.Range(0, 16).Select(k => k % 3 == 0 ? 1f : -0.5f).ToArray(), [16]);
        const string layer = "ReLU114_Output_0";
        string outDir = Path.Combine(dir, "out");
        var (code, stdout, err) = await Real("render", "--model", model, "--steps", "48", "--values-range", "0,255", "--transforms", "none", "--out", outDir, "--labels", labels,
            "--objective", $"channel:{layer}:5,5 - 250*diversity:{layer}",
            "--objective", $"interpolate:{layer}:5,9:3 + alignment:{layer}",
            "--objective", $"direction-neuron:{layer}:{v}@3,4",
            "--objective", $"position-direction:{layer}:{v}",
            "--objective", "logit:seven");
        Assert.True(code == 0, err + stdout);
        var pngs = Directory.GetFiles(outDir, "*.png").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(8, pngs.Length); // 2 diversity + 3 interpolation steps + 3 single images
        Assert.Contains("logit_seven.png", pngs);
        Assert.Contains("channel_ReLU114_Output_0_5_-_250_diversity_ReLU114_Output_0_2.png", pngs);

        // The logit render is classified as a seven (mnist-8 itself, run through eval on the PNG).
        using var png = Image.Load<L8>(Path.Combine(outDir, "logit_seven.png"));
        var px = new float[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) px[y * 28 + x] = png[x, y].PackedValue;
        Npy.Write(Path.Combine(dir, "x.npy"), px, [1, 1, 28, 28]);
        (code, _, err) = await CliHarness.Run("eval", "--model", model, "--input", $"Input3={Path.Combine(dir, "x.npy")}", "--output-dir", Path.Combine(dir, "eval"));
        Assert.True(code == 0, err);
        var logits = Npy.Read(Path.Combine(dir, "eval", "Plus214_Output_0.npy")).Data;
        Assert.Equal(7, Array.IndexOf(logits, logits.Max()));
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task LogitWithoutLabels_OrWithABadLabelsFile_IsAUsageError()
    {
        string dir = CliHarness.TempDir();
        string model = SharedData.PathOf("data", "models", "mnist-8.onnx");
        var (code, _, err) = await Real("render", "--model", model, "--steps", "2", "--out", Path.Combine(dir, "a"), "--objective", "logit:seven");
        Assert.Equal(2, code);
        Assert.Contains("--labels", err);
        string labels = Path.Combine(dir, "l.txt");
        File.WriteAllLines(labels, ["zero", "one", "", "three"]);
        (code, _, err) = await Real("render", "--model", model, "--steps", "2", "--out", Path.Combine(dir, "b"), "--labels", labels, "--objective", "logit:one");
        Assert.Equal(2, code);
        Assert.Contains("line 3", err);
        File.WriteAllLines(labels, ["zero", "one", "two"]);
        (code, _, err) = await Real("render", "--model", model, "--steps", "2", "--out", Path.Combine(dir, "c"), "--labels", labels, "--objective", "logit:one");
        Assert.NotEqual(0, code);
        Assert.Contains("3 labels", err);
    }
}
