using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// The whole optimization (Fourier parametrization, standard transformations, an ONNX model, the objective, Adam)
/// runs on the ILGPU backend, here on ILGPU's CPU accelerator: counted through <see cref="CountingBackend"/>, a step
/// after warm-up moves nothing between host and device and waits for nothing, and every op it runs is the device's.
/// </summary>
public sealed class SimulatorResidencyTests(ITestOutputHelper output)
{
    [Fact]
    public void AStepOnTheSimulatorStaysOnTheDevice()
    {
        string dir = CliHarness.TempDir();
        using var counting = new CountingBackend(IlgpuCpuBackendFactory.Backend);
        using var onnx = OnnxModel.Load(TinyOnnxModel.WriteConv(dir), new OnnxLoadOptions { Backend = counting });
        VisualizationModel model = onnx;
        var options = new OptimizationOptions
        {
            CustomShape = new ImageSize(16, 16),
            Transformations = ImageTransform.Standard(),
            UseFft = true,
            Steps = 5,
            Seed = 1,
        };
        using var session = new OptimizationSession(Objective.Channel(model, "conv/relu", [0, 1]), options);
        DeviceResidencyTests.CountSteps(session, counting, output, 3);
        Assert.Equal((0, 0, 0), (counting.Uploads, counting.Downloads, counting.Synchronizations));
        Assert.True(counting.Kernels > 0);
        Assert.True(counting.Calls("Rfft2") + counting.Calls("Irfft2") > 0, "the Fourier parametrization ran on the device");
        Assert.True(counting.Calls("Conv2d") > 0 && counting.Calls("MomentUpdate") == 3, "the model and Adam ran on the device");

        var losses = session.ReadLosses();
        Assert.Equal(3, losses.Length);
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
    }
}
