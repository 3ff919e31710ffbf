using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// The optimization loop keeps its data on the backend: counted through <see cref="CountingBackend"/>, a ResNet18
/// step at 224 after warm-up moves nothing between host and device except the documented allowance.
/// </summary>
public sealed class DeviceResidencyTests(ITestOutputHelper output)
{
    [Fact]
    public void ResNet18Step_TransfersOnlyTheAllowance()
    {
        using var counting = new CountingBackend(CpuBackend.Default);
        using var onnx = OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = counting });
        VisualizationModel model = onnx;
        var options = new OptimizationOptions
        {
            CustomShape = null,
            ValuesRange = new ValueRange(0, 255),
            Transformations = ImageTransform.Standard(),
            Steps = 8,
            Seed = 3,
        };
        using var session = new OptimizationSession(Objective.Channel(model, "ReLU315_Output_0", 7), options);
        Assert.Equal(1, session.BatchSize);
        CountSteps(session, counting, output, 3);
        // The allowance inside a step is zero: random transformation parameters are kernel arguments, the blur
        // weights are computed on the device, and the loss stays there.
        Assert.Equal(0, counting.Uploads);
        Assert.Equal(0, counting.Downloads);
        Assert.Equal(0, counting.Synchronizations);

        // What the caller reads explicitly: the three losses in one download, the images in one more.
        counting.Reset();
        var losses = session.ReadLosses();
        Assert.Equal(3, losses.Length);
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.Equal((0, 1), (counting.Uploads, counting.Downloads));
        counting.Reset();
        var images = session.Snapshot(5);
        Assert.Equal(3 * 224 * 224, images.Data.Length);
        Assert.Equal((0, 1), (counting.Uploads, counting.Downloads));
    }

    /// <summary>
    /// Two warm-up steps (they fold the model's shape arithmetic and upload the constants they need once), then
    /// <paramref name="steps"/> steps counted from zero, with the stack of every transfer written to the test output.
    /// </summary>
    internal static void CountSteps(OptimizationSession session, CountingBackend counting, ITestOutputHelper output, int steps)
    {
        session.Step(warmup: false);
        session.Step(warmup: false);
        session.ReadLosses();
        counting.Reset();
        counting.RecordStacks = true;
        for (int i = 0; i < steps; i++) session.Step(warmup: false);
        foreach (var t in counting.Transfers) output.WriteLine(t);
        output.WriteLine($"{steps} steps: uploads {counting.Uploads}, downloads {counting.Downloads}, allocations {counting.Allocations}, synchronizations {counting.Synchronizations}, kernels {counting.Kernels}");
    }

    public static TheoryData<string> TransformNames => ["standard", "rotate", "blur", "scale", "jitter", "flip", "pad"];

    [Theory]
    [MemberData(nameof(TransformNames))]
    public void EveryTransform_AfterItsFirstUse_UploadsAndDownloadsNothing(string name)
    {
        var t = name switch
        {
            "standard" => ImageTransform.Standard(),
            "rotate" => ImageTransform.Rotate(-20f, 20f),
            "blur" => ImageTransform.Blur(0.5f, 2f, 7),
            "scale" => ImageTransform.Scale(0.9f, 0.9f),
            "jitter" => ImageTransform.Jitter(4),
            "flip" => ImageTransform.Flip(true, true),
            _ => ImageTransform.Pad(3, 0.5f),
        };
        using var counting = new CountingBackend(CpuBackend.Default);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(counting, Rand.Uniform(1, 2 * 3 * 64 * 64), 2, 3, 64, 64).RequireGrad();
        var rng = new Random(5);
        t.Apply(x, rng);
        counting.Reset();
        for (int i = 0; i < 3; i++)
        {
            var y = t.Apply(x, rng);
            FeatureViz.Tensors.Autograd.Grad.Of(y.Sum(), [x]);
        }
        Assert.Equal((0, 0), (counting.Uploads, counting.Downloads));
    }
}

