using System.Diagnostics;
using FeatureViz.Cli.IO;
using FeatureViz.Onnx;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// <c>featureviz eval</c> and <c>grad</c> with <c>--device ilgpu-cpu</c> against <c>--device cpu</c> on the light_*
/// models of ../shared (224x224 inputs: their declared input shape is fixed). Opt-in: each model runs billions of
/// simulated multiply-adds (minutes per model on ILGPU's CPU accelerator), so the tests run only with
/// FEATUREVIZ_SIMULATOR_MODELS=1 (filter: <c>Category=SimulatorModels</c>); mnist-8 runs in CI (<see cref="DeviceAgreementTests"/>).
/// </summary>
/// <remarks>
/// Measured 2026-12-05 on the 2-core machine under a load average of ~50 (per op, synchronized, wall / process CPU):
/// light_bvlc_alexnet loads in 37 s (ConstantOfShape weights: Fill of the 37.7M-element fc6 weight 19 s / 6.9 s),
/// conv1 fused with ReLU (101M multiply-adds) 189 s / 10.5 s, conv2 (grouped, 224M) 146 s / 12.9 s, each LRN
/// (FusedDefaults composition, no ILGPU kernel) 11-33 s / 2.4-3.5 s; <c>featureviz eval --device ilgpu-cpu</c> did
/// not finish in 600 s (the CPU backend: 3.8 s). The simulator costs ~50-100 ns of CPU per multiply-add (every lane
/// an OS thread, a group barrier per K slice of the shared-memory GEMM tile), and under load the wall time is 10-18x
/// the CPU time (the barriers wait for descheduled lane threads). light_vgg19 (~20G multiply-adds) is out of reach.
/// </remarks>
[Trait("Category", "SimulatorModels")]
public sealed class LightModelDeviceAgreementTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() =>
        ["bvlc_alexnet", "squeezenet", "zfnet512", "inception_v1", "shufflenet", "resnet50", "inception_v2", "densenet121", "vgg19"];

    [SimulatorModelTheory]
    [MemberData(nameof(Models))]
    public async Task EvalAndGradOnTheSimulatorAgreeWithTheCpu(string name)
    {
        string model = SharedData.PathOf("data", "models", $"light_{name}.onnx");
        string dir = CliHarness.TempDir();
        LayerInfo[] layers;
        string input;
        int[] inputShape;
        using (var m = OnnxModel.Load(model, new OnnxLoadOptions { Backend = Kernels.Cpu.CpuBackend.Default }))
        {
            var i = Assert.Single(m.Inputs);
            (input, inputShape) = (i.Name, i.Shape.Select(d => d < 0 ? 1 : d).ToArray());
            layers = m.Layers.ToArray();
        }
        // The first convolution, a layer in the middle, and the output (every kernel family of the model runs before it).
        var checkedLayers = new[] { layers[0], layers[layers.Length / 2], layers[^1] }.DistinctBy(l => l.OutputName).ToArray();
        var mid = layers[layers.Length / 2];
        string x = Path.Combine(dir, "x.npy"), c = Path.Combine(dir, "c.npy");
        Npy.Write(x, Rand.Uniform(21, inputShape.Aggregate(1, (a, b) => a * b), 0f, 1f), inputShape);
        Npy.Write(c, Rand.Uniform(22, mid.Shape.Aggregate(1, (a, b) => a * b)), mid.Shape);
        string[] tensorArgs = checkedLayers.SelectMany(l => new[] { "--tensor", l.OutputName }).ToArray();

        foreach (var device in new[] { "cpu", "ilgpu-cpu" })
        {
            var clock = Stopwatch.StartNew();
            var (code, _, err) = await DeviceHarness.Run(DeviceHarness.OpenSharingTheSimulator,
                ["eval", "--model", model, "--input", $"{input}={x}", "--output-dir", Path.Combine(dir, device), "--device", device, .. tensorArgs]);
            Assert.True(code == 0, err);
            double eval = clock.Elapsed.TotalSeconds;
            clock.Restart();
            (code, _, err) = await DeviceHarness.Run(DeviceHarness.OpenSharingTheSimulator,
                "grad", "--model", model, "--input", $"{input}={x}", "--tensor", mid.OutputName, "--cotangent", c, "--wrt", input,
                "--out", Path.Combine(dir, device + "-grad.npy"), "--device", device);
            Assert.True(code == 0, err);
            output.WriteLine($"light_{name} on {device}: eval {eval:F1} s, grad of {mid.OutputName} {clock.Elapsed.TotalSeconds:F1} s");
        }
        foreach (var layer in checkedLayers)
        {
            string file = FeatureViz.Cli.Commands.ModelLoading.FileSafe(layer.OutputName) + ".npy";
            var cpu = Npy.Read(Path.Combine(dir, "cpu", file));
            var sim = Npy.Read(Path.Combine(dir, "ilgpu-cpu", file));
            Assert.Equal(cpu.Shape, sim.Shape);
            double e = DeviceHarness.RelativeMaxError(sim.Data, cpu.Data);
            output.WriteLine($"{layer.OutputName} ({layer.OpType}) {string.Join('x', cpu.Shape)}: relative error {e:G3}");
            Assert.True(e <= 1e-4, $"light_{name} {layer.OutputName}: max|sim - cpu| / max|cpu| = {e:G3}");
        }
        var gCpu = Npy.Read(Path.Combine(dir, "cpu-grad.npy"));
        var gSim = Npy.Read(Path.Combine(dir, "ilgpu-cpu-grad.npy"));
        Assert.Equal(inputShape, gCpu.Shape);
        Assert.Contains(gCpu.Data, v => v != 0);
        double ge = DeviceHarness.RelativeMaxError(gSim.Data, gCpu.Data);
        output.WriteLine($"d({mid.OutputName})/d({input}): relative error {ge:G3}");
        Assert.True(ge <= 1e-3, $"light_{name} gradient of {mid.OutputName}: max|sim - cpu| / max|cpu| = {ge:G3}");
    }
}

/// <summary>A theory that runs only with FEATUREVIZ_SIMULATOR_MODELS=1 and the shared models present.</summary>
public sealed class SimulatorModelTheoryAttribute : TheoryAttribute
{
    /// <summary>The environment variable that opts in.</summary>
    public const string Variable = "FEATUREVIZ_SIMULATOR_MODELS";

    public SimulatorModelTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"opt-in: set {Variable}=1 (the light_* models at 224 take minutes each on ILGPU's CPU accelerator)";
        else if (SharedData.Directory is null || !Path.Exists(SharedData.PathOf("data", "models")))
            Skip = $"{SharedData.MissingReason} (needs shared/data/models)";
    }
}
