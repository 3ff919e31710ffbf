using System.Text.Json;
using FeatureViz.Cli.IO;
using FeatureViz.Onnx;
using FeatureViz.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// End to end on ILGPU's CPU accelerator: <c>featureviz eval</c>, <c>grad</c> and <c>render</c> with
/// <c>--device ilgpu-cpu</c> (the GPU kernels) agree with <c>--device cpu</c> (the SIMD CPU backend, an independent
/// implementation of every op) on mnist-8 from ../shared.
/// </summary>
public sealed class DeviceAgreementTests(ITestOutputHelper output)
{
    private static string Mnist => SharedData.PathOf("data", "models", "mnist-8.onnx");

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task EvalOnTheSimulatorAgreesWithTheCpuOnEveryLayerOfMnist8()
    {
        string dir = CliHarness.TempDir();
        string x = Path.Combine(dir, "x.npy");
        Npy.Write(x, Rand.Uniform(11, 28 * 28, 0f, 255f), [1, 1, 28, 28]);
        string[] layers;
        using (var m = OnnxModel.Load(Mnist, new OnnxLoadOptions { Backend = Kernels.Cpu.CpuBackend.Default }))
            layers = m.Layers.Select(l => l.OutputName).ToArray();
        string[] tensorArgs = layers.SelectMany(l => new[] { "--tensor", l }).ToArray();

        var results = new Dictionary<string, string>();
        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
        {
            string outDir = Path.Combine(dir, device);
            var (code, _, err) = await DeviceHarness.Run(DeviceHarness.OpenSharingTheSimulator,
                ["eval", "--model", Mnist, "--input", $"Input3={x}", "--output-dir", outDir, "--device", device, .. tensorArgs]);
            Assert.True(code == 0, err);
            Assert.Contains($"device: {device} ", err);
            results[device] = outDir;
        }
        foreach (var layer in layers)
        {
            string file = FeatureViz.Cli.Commands.ModelLoading.FileSafe(layer) + ".npy";
            var cpu = Npy.Read(Path.Combine(results["cpu"], file));
            var sim = Npy.Read(Path.Combine(results["ilgpu-cpu"], file));
            Assert.Equal(cpu.Shape, sim.Shape);
            double err = DeviceHarness.RelativeMaxError(sim.Data, cpu.Data);
            output.WriteLine($"{layer} {string.Join('x', cpu.Shape)}: relative error {err:G3}");
            Assert.True(err <= 1e-4, $"{layer}: max|sim - cpu| / max|cpu| = {err:G3}");
        }
    }

    [SharedDataTheory("data/models/mnist-8.onnx")]
    [InlineData("Plus214_Output_0", 10)]
    [InlineData("ReLU114_Output_0", 16 * 14 * 14)]
    public async Task GradOnTheSimulatorAgreesWithTheCpuOnMnist8(string tensor, int size)
    {
        string dir = CliHarness.TempDir();
        string x = Path.Combine(dir, "x.npy"), c = Path.Combine(dir, "c.npy");
        Npy.Write(x, Rand.Uniform(12, 28 * 28, 0f, 255f), [1, 1, 28, 28]);
        Npy.Write(c, Rand.Uniform(13, size), tensor == "Plus214_Output_0" ? [1, 10] : [1, 16, 14, 14]);
        var grads = new Dictionary<string, float[]>();
        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
        {
            string g = Path.Combine(dir, device + ".npy");
            var (code, _, err) = await DeviceHarness.Run(DeviceHarness.OpenSharingTheSimulator,
                "grad", "--model", Mnist, "--input", $"Input3={x}", "--tensor", tensor, "--cotangent", c, "--wrt", "Input3", "--out", g, "--device", device);
            Assert.True(code == 0, err);
            var array = Npy.Read(g);
            Assert.Equal([1, 1, 28, 28], array.Shape);
            grads[device] = array.Data;
        }
        Assert.Contains(grads["cpu"], v => v != 0);
        double e = DeviceHarness.RelativeMaxError(grads["ilgpu-cpu"], grads["cpu"]);
        output.WriteLine($"d({tensor})/d(Input3): relative error {e:G3}");
        Assert.True(e <= 1e-3, $"gradient of {tensor}: max|sim - cpu| / max|cpu| = {e:G3}");
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task AShortMnist8RenderOnTheSimulatorGivesTheCpuImage()
    {
        string dir = CliHarness.TempDir();
        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
        {
            var (code, _, err) = await DeviceHarness.Run(DeviceHarness.OpenSharingTheSimulator,
                "render", "--model", Mnist, "--objective", "channel:ReLU114_Output_0:0", "--objective", "neuron:Plus214_Output_0:3", "--steps", "4", "--size", "28x28",
                "--seed", "3", "--values-range", "0,255", "--device", device, "--out", Path.Combine(dir, device));
            Assert.True(code == 0, err);
        }
        int compared = 0;
        foreach (var png in Directory.GetFiles(Path.Combine(dir, "cpu"), "*.png"))
        {
            using var cpu = Image.Load<Rgb24>(png);
            using var sim = Image.Load<Rgb24>(Path.Combine(dir, "ilgpu-cpu", Path.GetFileName(png)));
            int worst = 0, differing = 0;
            for (int y = 0; y < cpu.Height; y++)
                for (int x = 0; x < cpu.Width; x++)
                {
                    var (a, b) = (cpu[x, y], sim[x, y]);
                    int d = Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B)));
                    worst = Math.Max(worst, d);
                    if (d > 0) differing++;
                }
            output.WriteLine($"{Path.GetFileName(png)}: {differing} of {cpu.Width * cpu.Height} pixels differ, by at most {worst} of 255");
            // Four Adam steps amplify float32 rounding differences a little; a level or two at a rounding boundary.
            Assert.True(worst <= 2, $"{png}: a pixel differs by {worst} levels");
            compared++;
        }
        Assert.Equal(2, compared);
        var lossesCpu = Losses(Path.Combine(dir, "cpu"));
        var lossesSim = Losses(Path.Combine(dir, "ilgpu-cpu"));
        Assert.Equal(lossesCpu.Length, lossesSim.Length);
        for (int i = 0; i < lossesCpu.Length; i++)
            Assert.True(Math.Abs(lossesSim[i] - lossesCpu[i]) <= 1e-3 * Math.Max(1, Math.Abs(lossesCpu[i])), $"loss {i}: cpu {lossesCpu[i]}, simulator {lossesSim[i]}");
    }

    private static double[] Losses(string dir)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        return manifest.RootElement.GetProperty("items").EnumerateArray()
            .SelectMany(i => i.GetProperty("losses").EnumerateArray().Select(l => l.GetDouble())).ToArray();
    }
}
