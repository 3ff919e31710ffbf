using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>Bad settings fail with a clear exception before any step runs.</summary>
public class OptimizeValidationTests
{
    private readonly Objective _obj = Objective.Neuron(TestModels.DotProduct(Rand.Uniform(1, 16), 1, 4, 4), "dot", 0);

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(2f, 1f)]
    [InlineData(float.NaN, 1f)]
    public void ValuesRange_MinMustBeBelowMax(float min, float max)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { ValuesRange = new ValueRange(min, max) }));
        Assert.Contains("ValuesRange", e.Message);
    }

    [Fact]
    public void ZeroSteps_Throws()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { Steps = 0 }));
        Assert.Contains("Steps", e.Message);
    }

    [Fact]
    public void OptionErrorsNameThePublicArgument()
    {
        // Issue 11: these said "(Parameter 'o')", an internal parameter's name.
        foreach (var bad in new[] { new OptimizationOptions { Steps = 0 }, new OptimizationOptions { Std = -1 }, new OptimizationOptions { SaveEvery = 0 } })
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, bad));
            Assert.Equal("options", e.ParamName);
            Assert.DoesNotContain("'o'", e.Message);
        }
    }

    [Fact]
    public void OtherBadOptions_Throw()
    {
        Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { CustomShape = new ImageSize(0, 4) }));
        Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { SaveEvery = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { ImageNormalizer = ImageNormalizer.Custom }));
        Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { Std = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => FeatureVisualizer.Optimize(_obj, new OptimizationOptions { CustomShape = new ImageSize(4, 4), Transformations = ImageTransform.Jitter(4) }));
    }

    [Fact]
    public void ImageSmallerThanTheModelCanTake_ThrowsBeforeOptimizing()
    {
        int runs = 0;
        // A symbolic-size model that needs at least 5 x 5 pixels (as a 5 x 5 valid convolution would).
        var model = VisualizationModel.FromFunction(new ModelInput("input", [1, 1, -1, -1]),
            [new LayerInfo(0, "s", "s", "Conv", [1, 1])],
            (x, _) =>
            {
                runs++;
                if (x.Shape[2] < 5 || x.Shape[3] < 5) throw new ArgumentException($"Conv: input {x.Shape} is smaller than the 5 x 5 kernel.");
                return new Dictionary<string, Tensor> { ["s"] = x.Sum([1, 2, 3]).Reshape(x.Shape[0], 1) };
            }, TestModels.Backend);
        var e = Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "s", 0), new OptimizationOptions { CustomShape = new ImageSize(4, 4), Transformations = null }));
        Assert.Contains("smaller than", e.Message);
        Assert.Equal(1, runs);
        Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "s", 0), new OptimizationOptions { CustomShape = null }));
    }
}
