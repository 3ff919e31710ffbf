using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>
/// check_vjp through whole models: the input gradient of per-channel means at several layers, against float64
/// central differences along a random direction (GradCheck.Vjp).
/// </summary>
public sealed class ModelGradientTests
{
    [Theory]
    [InlineData("ReLU261_Output_0")]
    [InlineData("ReLU301_Output_0")]
    [InlineData("features")]
    public void ResNet18ChannelMeanGradient(string layer)
    {
        var m = OnnxModel.LoadResNet18();
        var x = Rand.Uniform(11, 3 * 224 * 224, 0f, 255f);
        GradCheck.Vjp(xs =>
        {
            var y = m.Run(xs[0], layer);
            return y.Rank == 4 ? y.Mean([0, 2, 3]) : y.Mean([0]);
        }, [(x, [1, 3, 224, 224])], seed: 3, eps: 1e-2, rtol: 2e-2, atol: 1e-4);
    }

    [SharedDataTheory("data/models/mnist-8.onnx")]
    [InlineData("ReLU32_Output_0")]
    [InlineData("Pooling160_Output_0")]
    [InlineData("Plus214_Output_0")]
    public void Mnist8ChannelMeanGradient(string layer)
    {
        using var m = OnnxModel.Load(SharedModelTests.ModelPath("mnist-8.onnx"));
        var x = Rand.Uniform(13, 28 * 28, 0f, 255f);
        GradCheck.Vjp(xs =>
        {
            var y = m.Run(xs[0], layer);
            return y.Rank == 4 ? y.Mean([0, 2, 3]) : y.Mean([0]);
        }, [(x, [1, 1, 28, 28])], seed: 5, eps: 1e-2, rtol: 2e-2, atol: 1e-4);
    }
}
