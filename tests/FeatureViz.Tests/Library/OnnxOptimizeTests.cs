using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>End-to-end optimization on real ONNX models: the renders reach what the criteria ask.</summary>
public class OnnxOptimizeTests(ITestOutputHelper output)
{
    [SharedDataFact("data/models/mnist-8.onnx")]
    public void Mnist_EachLogitRender_IsClassifiedWithProbabilityAtLeast099()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        VisualizationModel model = onnx;
        var logits = model.GetLayer(-1);
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, -1, Enumerable.Range(0, 10).ToArray()), new OptimizationOptions
        {
            CustomShape = null,
            ValuesRange = new ValueRange(0, 255),
            Transformations = null,
            Steps = 64,
            Seed = 8,
        });
        Assert.Equal((10, 1, 28, 28), (result.Images.Count, result.Images.Channels, result.Images.Height, result.Images.Width));
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        for (int d = 0; d < 10; d++)
        {
            // mnist-8 reshapes to a fixed batch of 1 inside, so images are classified one by one.
            var x = Tensor.FromArray(model.Backend, result.Images.Image(d), 1, 1, 28, 28);
            var probs = model.Run(x, [logits.OutputName])[logits.OutputName].Softmax(-1).ToArray();
            output.WriteLine($"digit {d}: p = {probs[d]:F5}");
            Assert.True(probs[d] >= 0.99f, $"digit {d}: softmax probability {probs[d]:F4} < 0.99");
        }
    }

    /// <summary>
    /// A 64-step render of channel 7 at a given fraction of the ReLU depth reaches twice the best mean activation over
    /// 32 random images in the same 0..255 range. When the channel is dead (zero) on a mid-grey image, the first 8 of
    /// the 64 steps are straight-through warm-up steps, so it gets a gradient at all; otherwise no warm-up (measured:
    /// on a live deep channel the linearised warm-up gradient drives the channel down). Each depth is slow (a ResNet18
    /// forward+backward per step on 2 cores), so each is its own case.
    /// </summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    public void ResNet18_ChannelRenderBeatsRandomImagesTwiceOver(int numerator, int denominator)
    {
        using var onnx = OnnxModel.LoadResNet18();
        VisualizationModel model = onnx;
        var relus = model.Layers.Where(l => l.OpType == "Relu" && l.Shape.Length == 4).ToArray();
        Assert.True(relus.Length >= 4, $"expected ReLU layers, found {relus.Length}");
        var layer = relus[numerator * relus.Length / denominator];
        var range = new ValueRange(0, 255);
        int channel = 7 % layer.Shape[1];
        double baseline = RandomImagesMax(model, layer, channel, range);
        var grey = Enumerable.Repeat(127.5f, 3 * 224 * 224).ToArray();
        bool dead = ChannelMeans(model, layer, channel, grey, 1)[0] <= 0;
        var result = FeatureVisualizer.Optimize(Objective.Channel(model, layer.OutputName, channel), new OptimizationOptions
        {
            CustomShape = null,
            ValuesRange = range,
            Transformations = ImageTransform.Jitter(8),
            WarmupSteps = dead ? 8 : 0,
            Steps = dead ? 56 : 64,
            Seed = 5,
        });
        double rendered = ChannelMeans(model, layer, channel, result.Images.Data, 1)[0];
        output.WriteLine($"{layer.OutputName} {string.Join("x", layer.Shape)} channel {channel} (dead on grey: {dead}): render {rendered:F3}, best random {baseline:F3}");
        Assert.True(rendered >= 2 * baseline, $"{layer.OutputName} channel {channel}: render {rendered:F3} < 2 x best random {baseline:F3}");
    }

    /// <summary>The highest mean activation of the channel over 16 uniform-noise and 16 random smooth Fourier images.</summary>
    internal static double RandomImagesMax(VisualizationModel model, LayerInfo layer, int channel, ValueRange range)
    {
        var rng = new Random(77);
        const int n = 8, size = 224;
        double best = double.NegativeInfinity;
        for (int batch = 0; batch < 4; batch++)
        {
            var data = new float[n * 3 * size * size];
            if (batch < 2)
                for (int i = 0; i < data.Length; i++) data[i] = (float)(range.Min + rng.NextDouble() * range.Width);
            else
            {
                using var scope = TensorScope.Begin();
                using var _ = GradMode.NoGrad();
                using var p = new ImageParametrization(model.Backend, n, 3, new ImageSize(size, size), true, 0.85f, range, ImageNormalizer.Sigmoid, null);
                data = p.Render(p.Initial(model.Backend, rng, 1f)).ToArray();
            }
            foreach (var m in ChannelMeans(model, layer, channel, data, n)) best = Math.Max(best, m);
        }
        return best;
    }

    internal static double[] ChannelMeans(VisualizationModel model, LayerInfo layer, int channel, float[] images, int n)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var x = Tensor.FromArray(model.Backend, images, n, 3, 224, 224);
        var a = model.Run(x, [layer.OutputName])[layer.OutputName].ToArray();
        int c = layer.Shape[1], hw = layer.Shape[2] * layer.Shape[3];
        var means = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < hw; j++) s += a[(i * c + channel) * hw + j];
            means[i] = s / hw;
        }
        return means;
    }
}
