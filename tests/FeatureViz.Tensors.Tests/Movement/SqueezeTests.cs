using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Movement;

public abstract class SqueezeTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    [Theory]
    [InlineData(new[] { 1, 3, 1, 2 }, new int[0], new[] { 3, 2 })]
    [InlineData(new[] { 1, 3, 1, 2 }, new[] { -2 }, new[] { 1, 3, 2 })]
    [InlineData(new[] { 1, 3, 1, 2 }, new[] { 0, 2 }, new[] { 3, 2 })]
    [InlineData(new[] { 1, 1 }, new int[0], new int[0])]
    [ChecksGradientOf("Squeeze")]
    public void SqueezeRemovesSizeOneAxes(int[] shape, int[] axes, int[] expected)
    {
        var data = Rand.Uniform(1, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Squeeze(axes);
        Assert.Equal(expected, y.Shape.ToArray());
        Assert.Equal(data, y.ToArray());
        GradCheck.Vjp(Backend, t => t[0].Squeeze(axes).Mul(t[0].Squeeze(axes)), [(data, shape)]);
    }

    [Fact]
    public void SqueezeRejectsAxesThatAreNotOne()
    {
        using var x = Tensor.Zeros(Backend, 1, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Squeeze(1));
        Assert.Contains("Squeeze", e.Message);
        Assert.Contains("[1, 3]", e.Message);
        Assert.Equal("axes", e.ParamName);
        Assert.Throws<ArgumentException>(() => x.Squeeze(2));
        Assert.Throws<ArgumentException>(() => x.Squeeze(0, -2));
    }

    [Theory]
    [InlineData(new[] { 3, 2 }, new[] { 0 }, new[] { 1, 3, 2 })]
    [InlineData(new[] { 3, 2 }, new[] { -1 }, new[] { 3, 2, 1 })]
    [InlineData(new[] { 3, 2 }, new[] { 1, 3 }, new[] { 3, 1, 2, 1 })]
    [InlineData(new[] { 3, 2 }, new[] { -4, 2 }, new[] { 1, 3, 1, 2 })]
    [InlineData(new int[0], new[] { 0 }, new[] { 1 })]
    [ChecksGradientOf("Unsqueeze")]
    public void UnsqueezeInsertsAtOutputPositions(int[] shape, int[] axes, int[] expected)
    {
        var data = Rand.Uniform(2, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Unsqueeze(axes);
        Assert.Equal(expected, y.Shape.ToArray());
        Assert.Equal(data, y.ToArray());
        GradCheck.Vjp(Backend, t => t[0].Unsqueeze(axes).Mul(t[0].Unsqueeze(axes)), [(data, shape)]);
    }

    [Fact]
    public void UnsqueezeRejectsBadAxes()
    {
        using var x = Tensor.Zeros(Backend, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => x.Unsqueeze(3));
        Assert.Contains("Unsqueeze", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Equal("axes", e.ParamName);
        Assert.Throws<ArgumentException>(() => x.Unsqueeze(1, -3));
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, 1, new[] { 2, 12 })]
    [InlineData(new[] { 2, 3, 4 }, 0, new[] { 1, 24 })]
    [InlineData(new[] { 2, 3, 4 }, 3, new[] { 24, 1 })]
    [InlineData(new[] { 2, 3, 4 }, -1, new[] { 6, 4 })]
    [InlineData(new[] { 2, 3, 4 }, -3, new[] { 1, 24 })]
    [InlineData(new[] { 5 }, 1, new[] { 5, 1 })]
    [ChecksGradientOf("Flatten")]
    public void FlattenSplitsAtTheAxis(int[] shape, int axis, int[] expected)
    {
        var data = Rand.Uniform(3, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Flatten(axis);
        Assert.Equal(expected, y.Shape.ToArray());
        Assert.Equal(data, y.ToArray());
        GradCheck.Vjp(Backend, t => t[0].Flatten(axis).Mul(t[0].Flatten(axis)), [(data, shape)]);
    }

    [Fact]
    public void FlattenRejectsBadAxis()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Flatten(3));
        Assert.Contains("Flatten", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal("axis", e.ParamName);
        Assert.Throws<ArgumentException>(() => x.Flatten(-3));
    }
}
