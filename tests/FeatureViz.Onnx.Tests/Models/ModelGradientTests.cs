using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>
/// check_vjp through whole models: the input gradient of per-channel means at several layers, against float64
/// central differences (GradCheck.Vjp). The perturbation is confined to a small image patch (the rest of the
/// image is a constant background), which keeps the number of ReLU/max-pool kinks crossed by the finite
/// difference small; the backward pass still runs through every layer. atol 5e-5 is the float32 rounding of the
/// forward divided by the 2 * eps step (outputs of order 1, hundreds of them).
/// </summary>
public abstract class ModelGradientTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static readonly Lazy<OnnxModel> ResNet = new(() => OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = Backend }));

    /// <summary>f(patch) = channel means of <paramref name="layer"/> for the background with the patch pasted at (top, left).</summary>
    private static void CheckPatch(OnnxModel m, string layer, int channels, int size, int patch, int top, int left,
        float lo, float hi, int seed, double eps)
    {
        var full = Rand.Uniform(seed, channels * size * size, lo, hi);
        var bg = (float[])full.Clone();
        var p = new float[channels * patch * patch];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < patch; y++)
                for (int x = 0; x < patch; x++)
                {
                    int i = (c * size + top + y) * size + left + x;
                    p[(c * patch + y) * patch + x] = full[i];
                    bg[i] = 0;
                }
        var background = Tensor.FromArray(Backend, bg, 1, channels, size, size);
        int[] pads = [0, 0, top, left, 0, 0, size - top - patch, size - left - patch];
        GradCheck.Vjp(Backend, xs =>
        {
            var image = xs[0].Pad(pads).Add(background);
            var y = m.Run(image, layer);
            return y.Rank == 4 ? y.Mean([0, 2, 3]) : y.Mean([0]);
        }, [(p, [1, channels, patch, patch])], seed: seed, eps: eps, rtol: 2e-2, atol: 5e-5);
    }

    [Theory]
    [InlineData("ReLU275_Output_0", 80, 96)]
    [InlineData("ReLU339_Output_0", 100, 60)]
    [InlineData("features", 40, 150)]
    public void ResNet18ChannelMeanGradient(string layer, int top, int left) =>
        CheckPatch(ResNet.Value, layer, 3, 224, 12, top, left, 0f, 255f, seed: 3, eps: 0.05);

    [SharedDataTheory("data/models/mnist-8.onnx")]
    [InlineData("ReLU32_Output_0")]
    [InlineData("Pooling160_Output_0")]
    [InlineData("Plus214_Output_0")]
    public void Mnist8ChannelMeanGradient(string layer)
    {
        using var m = OnnxModel.Load(SharedModelTests<TBackend>.ModelPath("mnist-8.onnx"), new OnnxLoadOptions { Backend = Backend });
        CheckPatch(m, layer, 1, 28, 10, 9, 8, 0f, 255f, seed: 5, eps: 0.05);
    }
}
