using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

/// <summary>
/// Issue 9, defect 1 at the tensor level: geometries whose output overflows or is absurd for the input are rejected
/// with an <see cref="ArgumentException"/> naming the op, the attribute and the input shape before any kernel runs
/// (they corrupted memory or allocated gigabytes), and every op is held to the <see cref="TensorLimits"/> in force.
/// </summary>
public abstract class HostileGeometryTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<string, Func<Tensor, Tensor, Tensor>, string> Cases() => new()
    {
        { "ConvTranspose2d", (x, w) => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(StrideH: 20_000, StrideW: 20_000)), "strides (20000, 20000)" },
        { "ConvTranspose2d", (x, w) => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(StrideH: 100_000, StrideW: 100_000)), "strides (100000, 100000)" },
        { "ConvTranspose2d", (x, w) => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(DilationH: 100_000, DilationW: 100_000)), "dilations (100000, 100000)" },
        { "ConvTranspose2d", (x, w) => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(StrideH: int.MaxValue, StrideW: 2)), "strides" },
        { "ConvTranspose2d", (x, w) => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(PadTop: 100_000, PadBottom: 100_000)), "pads (100000, 100000)" },
        { "MaxPool2d", (x, _) => x.MaxPool2d(new Pool2dOptions(3, 3, PadTop: 100_000, PadLeft: 100_000, PadBottom: 100_000, PadRight: 100_000)), "pad 100000" },
        { "MaxPool2d", (x, _) => x.MaxPool2d(new Pool2dOptions(3, 3, PadTop: 10_000, PadLeft: 10_000, PadBottom: 10_000, PadRight: 10_000)), "pad 10000" },
        { "AvgPool2d", (x, _) => x.AvgPool2d(new Pool2dOptions(3, 3, PadTop: 1_000, PadBottom: 1_000)), "pad 1000" },
        { "AvgPool2d", (x, _) => x.AvgPool2d(new Pool2dOptions(3, 3, StrideH: 100_000)), "stride 100000" },
        { "MaxPool2d", (x, _) => x.MaxPool2d(new Pool2dOptions(3, 3, PadTop: int.MaxValue, PadBottom: int.MaxValue)), "pad" },
        { "Conv2d", (x, w) => x.Conv2d(w, null, new Conv2dOptions(PadTop: 100_000, PadLeft: 100_000, PadBottom: 100_000, PadRight: 100_000)), "pad 100000" },
        { "Conv2d", (x, w) => x.Conv2d(w, null, new Conv2dOptions(StrideH: 100_000, StrideW: 100_000)), "stride 100000" },
        { "Conv2d", (x, w) => x.Conv2d(w, null, new Conv2dOptions(DilationH: 100_000)), "dilation 100000" },
        { "Conv2d", (x, w) => x.Conv2d(w, null, new Conv2dOptions(PadTop: int.MaxValue, PadBottom: int.MaxValue)), "pad" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostileGeometryIsRejectedNamingOpAttributeAndInput(string op, Func<Tensor, Tensor, Tensor> run, string attribute)
    {
        using var x = Tensor.Zeros(Backend, 1, 1, 28, 28);
        using var w = Tensor.Full(Backend, 0.1f, 1, 1, 3, 3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => run(x, w).Dispose());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the huge tensor must not be allocated");
        Assert.Contains(op, e.Message);
        Assert.Contains(attribute, e.Message);
        Assert.Contains("[1, 1, 28, 28]", e.Message);
    }

    /// <summary>The number of window positions, counted one by one: starts -p0 + j*s whose window ends inside the padded input.</summary>
    private static long CountWindows(int size, int k, int s, int d, int p0, int p1, bool ceil)
    {
        long extent = (long)(k - 1) * d + 1, count = 0;
        for (long start = -p0; ; start += s)
        {
            bool fits = start + extent <= size + p1;
            // Ceil mode (pools) adds a partial window when the full ones leave the end of the padded input uncovered,
            // if it starts inside the input or the leading pad.
            bool partial = ceil && !fits && count > 0 && start - s + extent < size + p1 && start < size;
            if (fits || partial) count++;
            if (!fits) break;
        }
        return count;
    }

    [Fact]
    public void ValidGeometriesKeepTheOnnxOutputSize()
    {
        var rng = new Random(9);
        int checkedCount = 0;
        for (int trial = 0; trial < 4000; trial++)
        {
            int size = rng.Next(1, 12), k = rng.Next(1, 5), s = rng.Next(1, 5), d = rng.Next(1, 3), p0 = rng.Next(0, 4), p1 = rng.Next(0, 4);
            bool ceil = rng.Next(2) == 0;
            foreach (var kind in new[] { SpatialOpKind.Convolution, SpatialOpKind.Pooling })
            {
                var axis = new SpatialAxis(size, k, s, d, p0, p1, CeilMode: ceil);
                if (SpatialGeometry.Problem(kind, axis) is not null) continue;
                checkedCount++;
                Assert.Equal(CountWindows(size, k, s, d, p0, p1, kind == SpatialOpKind.Pooling && ceil), SpatialGeometry.OutputSize(kind, axis));
            }
            // Transposed: every input position i writes taps at i*s + j*d - p0 for j < k, and output padding extends the end.
            var t = new SpatialAxis(size, k, s, d, p0, p1, OutputPadding: rng.Next(0, Math.Max(s, d)));
            if (SpatialGeometry.Problem(SpatialOpKind.TransposedConvolution, t) is null)
            {
                long last = (long)(size - 1) * s + (long)(k - 1) * d;
                Assert.Equal(last + 1 + t.OutputPadding - p0 - p1, SpatialGeometry.OutputSize(SpatialOpKind.TransposedConvolution, t));
            }
        }
        Assert.True(checkedCount > 1000, $"only {checkedCount} valid geometries");
    }

    [Fact]
    public void WhatTheRulesAcceptAndReject()
    {
        // A pool pad must be smaller than the window (ONNX Runtime's rule): no window may lie entirely in the padding.
        Assert.Null(SpatialGeometry.Problem(SpatialOpKind.Pooling, new SpatialAxis(5, 3, 1, 1, 2, 2)));
        Assert.Equal(SpatialArgument.Pads, SpatialGeometry.Problem(SpatialOpKind.Pooling, new SpatialAxis(5, 3, 1, 1, 3, 0))?.Argument);
        // A convolution pad may exceed the kernel when the input is larger (border outputs of bias only), or the input
        // when the kernel is larger ("same" padding of a 5x5 kernel on a 1x1 map), not both.
        Assert.Null(SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(7, 1, 1, 1, 1, 1)));
        Assert.Null(SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(1, 5, 1, 1, 2, 2)));
        Assert.Equal(SpatialArgument.Pads, SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(2, 3, 1, 1, 3, 0))?.Argument);
        // A stride larger than the padded input is rejected unless the one window covers it all.
        Assert.Null(SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(1, 1, 2, 1, 0, 0)));
        Assert.Null(SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(1, 3, 2, 1, 1, 1)));
        Assert.Equal(SpatialArgument.Strides, SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(2, 1, 3, 1, 0, 0))?.Argument);
        Assert.Equal(SpatialArgument.Dilations, SpatialGeometry.Problem(SpatialOpKind.Pooling, new SpatialAxis(28, 3, 1, 100_000, 0, 0))?.Argument);
        Assert.Equal(SpatialArgument.Kernel, SpatialGeometry.Problem(SpatialOpKind.Convolution, new SpatialAxis(2, 0, 1, 1, 0, 0))?.Argument);
        Assert.Equal(SpatialArgument.OutputPadding, SpatialGeometry.Problem(SpatialOpKind.TransposedConvolution, new SpatialAxis(4, 3, 2, 1, 0, 0, OutputPadding: 2))?.Argument);
    }

    [Fact]
    public void SmallMapsWithStrideTwoStillRun()
    {
        // ResNet's stride-2 1x1 downsample on a 1x1 map (renders at 16x16), against the direct product.
        using var x = Tensor.Full(Backend, 3f, 1, 1, 1, 1);
        using var w = Tensor.Full(Backend, 2f, 1, 1, 1, 1);
        using var y = x.Conv2d(w, null, new Conv2dOptions(StrideH: 2, StrideW: 2));
        Assert.Equal(new[] { 1, 1, 1, 1 }, y.Shape.ToArray());
        Assert.Equal(6f, y.Item());
    }

    public static TheoryData<string, Func<Tensor>> LimitCases()
    {
        var a = Tensor.Zeros(Backend, 40, 1);
        var b = Tensor.Zeros(Backend, 1, 40);
        var img = Tensor.Zeros(Backend, 1, 1, 10, 10);
        var w20 = Tensor.Zeros(Backend, 20, 1, 1, 1);
        var rows = Tensor.Zeros(Backend, 10, 100);
        return new()
        {
            { "MatMul", () => a.MatMul(b) },
            { "Add", () => a.Add(b) },
            { "Concat", () => Tensor.Concat([b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b], 1) },
            { "Expand", () => b.Expand(40, 40) },
            { "Tile", () => b.Tile(40, 1) },
            { "Pad", () => img.Pad([0, 0, 0, 0, 0, 0, 30, 30]) },
            { "Resize", () => img.Resize(40, 40, new ResizeOptions()) },
            { "Conv2d", () => img.Conv2d(w20, null, new Conv2dOptions()) },
            { "Gather", () => rows.Gather(new int[20], [20], 0) },
            { "AffineWarp", () => img.AffineWarp(Tensor.Zeros(Backend, 1, 2, 3), 40, 40) },
            { "Zeros", () => Tensor.Zeros(Backend, 2000) },
        };
    }

    [Theory]
    [MemberData(nameof(LimitCases))]
    public void EveryOpIsHeldToTheLimitsInForce(string op, Func<Tensor> make)
    {
        using (TensorLimits.Begin(1000, 1L << 20))
        {
            var e = Assert.Throws<ArgumentException>(() => make().Dispose());
            Assert.Contains("limit of 1000", e.Message);
            if (op != "Zeros") Assert.Contains(op, e.Message);
        }
        // Outside the scope the default limits apply again.
        Assert.Equal(TensorLimits.DefaultMaxElements, TensorLimits.MaxElements);
        make().Dispose();
    }

    [Fact]
    public void ScopesNestTightenAndRestore()
    {
        using (TensorLimits.Begin(1000, 1L << 20))
        {
            using (TensorLimits.Begin(1L << 40, 400))
            {
                Assert.Equal(1000, TensorLimits.MaxElements);
                Assert.Equal(400, TensorLimits.MaxBytes);
                var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(Backend, 101));
                Assert.Contains("404 bytes", e.Message);
                Tensor.Zeros(Backend, 100).Dispose();
            }
            Assert.Equal(1L << 20, TensorLimits.MaxBytes);
        }
        Assert.Equal(TensorLimits.DefaultMaxBytes, TensorLimits.MaxBytes);
    }

    [Fact]
    public void OverflowingShapesAreArgumentErrorsNotOverflowOrCorruption()
    {
        using var v = Tensor.Zeros(Backend, 1, 70_000);
        var e = Assert.Throws<ArgumentException>(() => v.Tile(70_000, 70_000).Dispose());
        Assert.Contains("Tile", e.Message);
        e = Assert.Throws<ArgumentException>(() => v.Pad([0, int.MaxValue, 0, int.MaxValue]).Dispose());
        Assert.Contains("Pad", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Concat([v.Expand(1, 70_000), v], 0).Expand(70_000, 70_000).Dispose());
        Assert.Contains("Expand", e.Message);
        Assert.Equal(2L * 3 * 5, TensorLimits.Elements("op", [2, 3, 5]));
        Assert.Equal(0, TensorLimits.Elements("op", [long.MaxValue, long.MaxValue, 0]));
        e = Assert.Throws<ArgumentException>(() => TensorLimits.Elements("op", [long.MaxValue, 3]));
        Assert.Contains("more than 2^63", e.Message);
    }
}
