using FeatureViz.Kernels.Gpu.Conv;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Tensors.Backends;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry g)
    {
        const string op = nameof(BatchedGemm);
        var av = View(a, op, nameof(a));
        var bv = View(b, op, nameof(b));
        var y = New(op, g.OutputLength);
        if (g.OutputLength == 0) return y;
        Launch(op, () => g.ToString(), () =>
        {
            float beta = 0f;
            if (c is not null && g.Beta != 0f)
            {
                // C broadcast into every output matrix first; the GEMM then scales it by beta in place.
                var cv = View(c, op, nameof(c));
                GpuMovement.StridedCopy(Gpu, cv, new StridedView([g.Batch, g.M, g.N], [0, g.CRowStride, g.CColStride], 0), y.View);
                beta = g.Beta;
            }
            if (g.K == 0)
            {
                if (beta == 0f) GpuMovement.Fill(Gpu, y.View, 0f);
                else GpuElementwiseScale(y.View, beta);
                return;
            }
            GpuGemm.StridedBatched(Gpu, Gemm.Pick(g.M, g.N, g.Batch), av, g.TransA, g.StrideA, bv, g.TransB, g.StrideB,
                y.View, g.M * g.N, g.M, g.N, g.K, g.Batch, g.Alpha, beta);
        });
        return y;
    }

    private void GpuElementwiseScale(ArrayView<float> y, float scale) =>
        Elementwise.GpuElementwise.Binary(Gpu, new Tensors.Ops.MulOp(), y, [(int)y.Length], Scalar(scale), [1], y, [(int)y.Length]);

    private ArrayView<float> Scalar(float value)
    {
        var s = Fill(1, value);
        var v = ((IlgpuStorage)s).View;
        s.Dispose(); // stream-ordered: the buffer is reused only by later work
        return v;
    }

    /// <inheritdoc/>
    public TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry g) =>
        Convolve(nameof(Conv2d), x, w, bias, g, ConvEpilogue.None);

    /// <inheritdoc/>
    /// <remarks>One launch: the activation is applied in the implicit-GEMM (or depthwise) kernel's store, after the bias.</remarks>
    public TensorStorage Conv2dActivation(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry, ConvEpilogue epilogue)
    {
        if (epilogue.Problem() is { } problem)
            throw new ArgumentException($"Conv2dActivation: {problem} ({geometry}).", nameof(epilogue));
        // Allocation and launch errors name the convolution (Conv2d) with the epilogue beside the geometry.
        return Convolve(nameof(Conv2d), x, w, bias, geometry, epilogue);
    }

    private IlgpuStorage Convolve(string op, TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry g, ConvEpilogue epilogue)
    {
        var xv = View(x, op, nameof(x));
        var wv = View(w, op, nameof(w));
        var bv = bias is null ? default : View(bias, op, nameof(bias));
        var y = New(op, (long)g.N * g.O * g.OH * g.OW);
        if (y.Length == 0) return y;
        if ((long)g.GroupInputChannels * g.KH * g.KW == 0)
        {
            // An empty reduction (no taps): bias (or zeros), then the activation as its elementwise op.
            if (epilogue.Activation == ConvActivation.None) return FillZeroPlusBias(y, bv, g);
            y.Dispose();
            return (IlgpuStorage)FusedDefaults.Conv2dActivation(this, x, w, bias, g, epilogue);
        }
        Launch(op, () => $"{g}, {epilogue}", () =>
        {
            GpuConv.Forward(Gpu, Gemm, xv, wv, bv, y.View, g, epilogue);
        });
        return y;
    }

    private IlgpuStorage FillZeroPlusBias(IlgpuStorage y, ArrayView<float> bias, Conv2dGeometry g)
    {
        Launch(nameof(Conv2d), () => g.ToString(), () =>
        {
            if (bias.IsValid)
                GpuMovement.StridedCopy(Gpu, bias, new StridedView([g.N, g.O, g.OH * g.OW], [0, 1, 0], 0), y.View);
            else GpuMovement.Fill(Gpu, y.View, 0f);
        });
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry g)
    {
        const string op = nameof(Conv2dBackwardInput);
        var gv = View(dy, op, nameof(dy));
        var wv = View(w, op, nameof(w));
        long n = (long)g.N * g.C * g.H * g.W;
        if (n == 0 || (long)g.N * g.O * g.OH * g.OW == 0 || g.KH * g.KW == 0) return NewZeroed(op, n);
        var dx = New(op, n);
        Launch(op, () => g.ToString(), () =>
        {
            GpuConv.BackwardInput(Gpu, Gemm, gv, wv, dx.View, g);
        });
        return dx;
    }

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry g)
    {
        const string op = nameof(Conv2dBackwardWeight);
        var xv = View(x, op, nameof(x));
        var gv = View(dy, op, nameof(dy));
        long n = (long)g.O * g.GroupInputChannels * g.KH * g.KW;
        if (n == 0 || (long)g.N * g.OH * g.OW == 0) return NewZeroed(op, n);
        var dw = New(op, n);
        Launch(op, () => g.ToString(), () =>
        {
            GpuConv.BackwardWeight(Gpu, Gemm, xv, gv, dw.View, g);
        });
        return dw;
    }
}
