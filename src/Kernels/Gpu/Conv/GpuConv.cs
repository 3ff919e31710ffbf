using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Conv;

/// <summary>
/// 2-D convolution forward, input gradient and weight gradient on a <see cref="GpuAccelerator"/>: implicit GEMM
/// through the SGEMM kernel the <see cref="GemmPlanner"/> picks for the product's shape (no im2col buffer), 1x1
/// convolutions as plain strided GEMM, depthwise forward direct; the bias and a fused activation are applied in the
/// forward kernel's epilogue.
/// </summary>
public static class GpuConv
{
    /// <summary>The kernel argument for <paramref name="g"/>.</summary>
    public static ConvShape ShapeOf(Conv2dGeometry g)
    {
        return new ConvShape
        {
            N = g.N, C = g.C, H = g.H, W = g.W, O = g.O, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW,
            StrideH = g.StrideH, StrideW = g.StrideW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            DilationH = g.DilationH, DilationW = g.DilationW, Groups = g.Groups,
        };
    }

    /// <summary>
    /// y [N, O, OH, OW] = act(conv(x [N, C, H, W], w [O, C/groups, KH, KW]) + bias [O]) (bias optional: pass a null
    /// view; act is <paramref name="epilogue"/>, applied in the kernel's store, default none).
    /// </summary>
    public static void Forward(GpuAccelerator gpu, GemmPlanner gemm, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        ArrayView<float> y, Conv2dGeometry geometry, ConvEpilogue epilogue = default)
    {
        ArgumentNullException.ThrowIfNull(gemm);
        var s = ShapeOf(geometry);
        Check("Conv2d", s, ("x", x, (long)s.N * s.C * s.H * s.W), ("w", w, (long)s.O * s.Cg * s.Taps), ("y", y, (long)s.N * s.O * s.OH * s.OW));
        int pixels = s.OH * s.OW, k = s.Cg * s.Taps;
        bool hasBias = bias.IsValid;
        if (hasBias) GpuElementwise.RequireLength("Conv2d", "bias", bias, s.O);
        if (s.Groups == s.C && s.Groups > 1)
        {
            var depthwise = gpu.Kernels.Get("DepthwiseForward", null,
                a => a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvShape, int, ConvEpilogue>(DepthwiseKernels.Forward));
            depthwise(gpu.Stream, gpu.Policy.For(y.Length), x, w, hasBias ? bias : w, y, s, hasBias ? 1 : 0, epilogue);
        }
        else
        {
            var weights = new StridedMatrix { RowStride = k, ColStride = 1, BatchDiv = s.Groups, InnerBatchStride = s.Og * k };
            var output = new StridedMatrix { RowStride = pixels, ColStride = 1, BatchDiv = s.Groups, OuterBatchStride = s.O * pixels, InnerBatchStride = s.Og * pixels };
            var shape = new GemmShape { M = s.Og, N = pixels, K = k, Batch = s.N * s.Groups, Alpha = 1f, HasBias = hasBias ? 1 : 0, Epilogue = epilogue };
            var kernel = gemm.Pick(shape.M, shape.N, shape.Batch);
            weights = weights.WithVectorAccessFor(w);
            if (geometry.IsPointwise)
            {
                var input = new StridedMatrix { RowStride = pixels, ColStride = 1, BatchDiv = s.Groups, OuterBatchStride = s.C * pixels, InnerBatchStride = s.Cg * pixels };
                kernel.Launch(gpu, "Conv2d", w, weights, x, input.WithVectorAccessFor(x), y, output, shape, bias);
            }
            else
            {
                kernel.Launch(gpu, "Conv2d", w, weights, x, new Im2ColOperand { Shape = s }, y, output, shape, bias);
            }
        }
    }

    /// <summary>dx [N, C, H, W] from dy [N, O, OH, OW] and w.</summary>
    public static void BackwardInput(GpuAccelerator gpu, GemmPlanner gemm, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx,
        Conv2dGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(gemm);
        var s = ShapeOf(geometry);
        Check("Conv2dBackwardInput", s, ("dy", dy, (long)s.N * s.O * s.OH * s.OW), ("w", w, (long)s.O * s.Cg * s.Taps), ("dx", dx, (long)s.N * s.C * s.H * s.W));
        int pixels = s.H * s.W;
        var output = new StridedMatrix { RowStride = pixels, ColStride = 1, BatchDiv = s.Groups, OuterBatchStride = s.C * pixels, InnerBatchStride = s.Cg * pixels };
        var shape = new GemmShape { M = s.Cg, N = pixels, K = s.Og * s.Taps, Batch = s.N * s.Groups, Alpha = 1f };
        gemm.Pick(shape.M, shape.N, shape.Batch).Launch(gpu, "Conv2dBackwardInput",
            w, new TransposedWeightOperand { Shape = s }, dy, new GradientGatherOperand { Shape = s }, dx, output, shape, default);
    }

    /// <summary>dw [O, C/groups, KH, KW] from x and dy.</summary>
    public static void BackwardWeight(GpuAccelerator gpu, GemmPlanner gemm, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw,
        Conv2dGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(gemm);
        var s = ShapeOf(geometry);
        Check("Conv2dBackwardWeight", s, ("x", x, (long)s.N * s.C * s.H * s.W), ("dy", dy, (long)s.N * s.O * s.OH * s.OW), ("dw", dw, (long)s.O * s.Cg * s.Taps));
        int cols = s.Cg * s.Taps;
        var output = new StridedMatrix { RowStride = cols, ColStride = 1, BatchDiv = 1, OuterBatchStride = s.Og * cols };
        var shape = new GemmShape { M = s.Og, N = cols, K = s.N * s.OH * s.OW, Batch = s.Groups, Alpha = 1f };
        gemm.Pick(shape.M, shape.N, shape.Batch).Launch(gpu, "Conv2dBackwardWeight",
            dy, new GradientRowsOperand { Shape = s }, x, new TransposedIm2ColOperand { Shape = s }, dw, output, shape, default);
    }

    private static void Check(string op, ConvShape s, params (string Name, ArrayView<float> View, long Length)[] args)
    {
        if (s.Groups < 1 || s.C % s.Groups != 0 || s.O % s.Groups != 0)
            throw new ArgumentException($"{op}: C={s.C} and O={s.O} must be multiples of groups={s.Groups}.", nameof(s));
        foreach (var (name, view, length) in args) GpuElementwise.RequireLength(op, name, view, length);
    }
}
