using FeatureViz.Kernels.Cpu.Conv;
using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed unsafe partial class CpuBackend
{
    private long _weightGradientCalls;

    /// <summary>
    /// Flipped, channel-swapped copies of weights, keyed by the weight storage. Storage is immutable and a storage
    /// object is never reused (its array may be, by the pool), so an entry stays valid as long as its key lives (the
    /// copy costs as much memory as the weights, once per layer).
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<TensorStorage, FlippedWeights> _flipped = new();

    private sealed record FlippedWeights(float[] Data, int Groups, int KH, int KW, int O);

    /// <summary>How many times <see cref="Conv2dBackwardWeight"/> ran on this backend (tests check frozen weights skip it).</summary>
    internal long WeightGradientCalls => Interlocked.Read(ref _weightGradientCalls);

    /// <inheritdoc/>
    public TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry geometry)
    {
        var g = geometry;
        var av = Data(a);
        var bv = Data(b);
        var y = NewZeroed(g.OutputLength);
        int mn = g.M * g.N;
        bool haveC = c is not null && g.Beta != 0f;
        if (haveC)
        {
            var cv = Data(c!);
            for (int q = 0; q + mn <= y.Length; q += mn)
                for (int i = 0; i < g.M; i++)
                    for (int j = 0; j < g.N; j++)
                        y[q + i * g.N + j] = g.Beta * cv[i * g.CRowStride + j * g.CColStride];
        }
        if (mn == 0 || g.Batch == 0) return Wrap(y);

        int lda = g.TransA ? g.M : g.K, ldb = g.TransB ? g.K : g.N;
        fixed (float* pa = av, pb = bv, py = y)
        {
            nint na = (nint)pa, nb = (nint)pb, ny = (nint)py;
            long perProduct = 2L * g.M * g.N * g.K;
            if (g.Batch > 1 && perProduct < 8_000_000)
            {
                For(g.Batch, perProduct, (s, e) =>
                {
                    for (int i = s; i < e; i++)
                        Product(g, (float*)na + (long)i * g.StrideA, lda, (float*)nb + (long)i * g.StrideB, ldb, (float*)ny + (long)i * mn, haveC, 1);
                });
            }
            else
            {
                for (int i = 0; i < g.Batch; i++)
                    Product(g, pa + (long)i * g.StrideA, lda, pb + (long)i * g.StrideB, ldb, py + (long)i * mn, haveC, Threads);
            }
        }
        return Wrap(y);
    }

    /// <summary>One product of a batched GEMM; a single row of A (batch-1 fully connected layers) runs as dot products.</summary>
    private static void Product(GemmGeometry g, float* a, int lda, float* b, int ldb, float* y, bool accumulate, int threads)
    {
        // With one row, A is contiguous whether or not it is stored transposed (lda = 1 then).
        if (g.M == 1) Gemv.Multiply(g.N, g.K, g.Alpha, a, b, ldb, g.TransB, y, accumulate, threads);
        else Sgemm.Multiply(g.M, g.N, g.K, g.Alpha, a, lda, g.TransA, b, ldb, g.TransB, y, g.N, accumulate, threads);
    }

    /// <inheritdoc/>
    public TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        Conv2dActivation(x, w, bias, geometry, ConvEpilogue.None);

    /// <inheritdoc/>
    public TensorStorage Conv2dActivation(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry, ConvEpilogue epilogue)
    {
        float[] xv = Data(x), wv = Data(w);
        float[]? bv = bias is null ? null : Data(bias);
        return Wrap(TryWinograd(xv, w, wv, false, bv, geometry, epilogue) ?? Forward(xv, wv, bv, geometry, new ActivationEpilogue(epilogue)));
    }

    private float[] Forward(float[] xv, float[] wv, float[]? bv, Conv2dGeometry g) => Forward(xv, wv, bv, g, new NoEpilogue());

    /// <summary>The convolution, with <paramref name="epilogue"/> applied to each output tile (or depthwise plane) as it is finished.</summary>
    private float[] Forward<TE>(float[] xv, float[] wv, float[]? bv, Conv2dGeometry g, TE epilogue) where TE : struct, ITileEpilogue
    {
        int ohw = g.OH * g.OW;
        var y = NewZeroed((long)g.N * g.O * ohw);
        if (bv is not null)
        {
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < g.O; o++)
                    y.AsSpan((n * g.O + o) * ohw, ohw).Fill(bv[o]);
        }
        if (y.Length == 0) return y;
        fixed (float* px = xv, pw = wv, py = y)
        {
            nint nx = (nint)px, nw = (nint)pw, ny = (nint)py;
            if (g.GroupInputChannels == 1)
            {
                For(g.N * g.O, (long)ohw * g.KH * g.KW * 2, (s, e) =>
                {
                    DepthwiseConv.Forward((float*)nx, (float*)nw, (float*)ny, g, s, e);
                    epilogue.Apply((float*)ny + (long)s * ohw, ohw, e - s, ohw);
                });
                return y;
            }
            int cg = g.GroupInputChannels, og = g.GroupOutputChannels, kc = cg * g.KH * g.KW;
            for (int n = 0; n < g.N; n++)
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    float* xg = px + ((long)n * g.C + grp * cg) * g.H * g.W;
                    float* wg = pw + (long)grp * og * kc, yg = py + ((long)n * g.O + grp * og) * ohw;
                    if (g.IsPointwise)
                        Sgemm.Multiply(og, ohw, kc, 1f, wg, kc, false, new MatrixB(xg, ohw, false), yg, ohw, bv is not null, Threads, epilogue);
                    else
                        Sgemm.Multiply(og, ohw, kc, 1f, wg, kc, false, new Im2ColSource(xg, g), yg, ohw, bv is not null, Threads, epilogue);
                }
        }
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry geometry) =>
        Wrap(BackwardInput(Data(dy), w, null, geometry));

    /// <inheritdoc/>
    public TensorStorage ConvTranspose2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        Wrap(BackwardInput(Data(x), w, bias is null ? null : Data(bias), geometry));

    /// <summary>dx = W^T dy folded back into images (col2im), optionally plus a per-input-channel bias.</summary>
    private float[] BackwardInput(float[] dyv, TensorStorage w, float[]? bias, Conv2dGeometry g)
    {
        var wv = Data(w);
        // Stride 1: a forward convolution with flipped weights (one GEMM with K = O/groups * kH * kW) beats the thin
        // W^T dY GEMM followed by a memory-bound col2im pass.
        if (g.StrideH == 1 && g.StrideW == 1 && g.GroupOutputChannels > 1)
        {
            // The weights are constants in feature visualization, so the re-laid-out copy is kept.
            if (!_flipped.TryGetValue(w, out var cached) || cached.Groups != g.Groups || cached.KH != g.KH || cached.KW != g.KW || cached.O != g.O)
            {
                cached = Flipped(wv, g);
                _flipped.AddOrUpdate(w, cached);
            }
            var fg = FlippedGeometry(g);
            return TryWinograd(dyv, w, cached.Data, true, bias, fg) ?? Forward(dyv, cached.Data, bias, fg);
        }
        int ohw = g.OH * g.OW, hw = g.H * g.W;
        var dx = NewZeroed((long)g.N * g.C * hw);
        if (dx.Length == 0) return dx;
        fixed (float* pdy = dyv, pw = wv, pdx = dx)
        {
            nint ndy = (nint)pdy, nw = (nint)pw, ndx = (nint)pdx;
            if (g.GroupInputChannels == 1)
            {
                For(g.N * g.C, (long)ohw * g.KH * g.KW * 2 * g.GroupOutputChannels,
                    (s, e) => DepthwiseConv.BackwardInput((float*)ndy, (float*)nw, (float*)ndx, g, s, e));
            }
            else
            {
                int cg = g.GroupInputChannels, og = g.GroupOutputChannels, kc = cg * g.KH * g.KW;
                float* col = g.IsPointwise ? null : PackBuffer.Columns((long)kc * ohw);
                nint ncol = (nint)col;
                for (int n = 0; n < g.N; n++)
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        float* dyg = pdy + ((long)n * g.O + grp * og) * ohw;
                        float* dxg = pdx + ((long)n * g.C + grp * cg) * hw;
                        float* wg = pw + (long)grp * og * kc;
                        if (g.IsPointwise)
                        {
                            Sgemm.Multiply(cg, hw, og, 1f, wg, kc, true, dyg, ohw, false, dxg, hw, false, Threads);
                            continue;
                        }
                        Sgemm.Multiply(kc, ohw, og, 1f, wg, kc, true, dyg, ohw, false, col, ohw, false, Threads);
                        nint ndxg = (nint)dxg;
                        For(cg, (long)g.KH * g.KW * ohw, (s, e) => Im2Col.Fold((float*)ncol, (float*)ndxg, g, s, e));
                    }
            }
        }
        if (bias is not null)
            for (int n = 0; n < g.N; n++)
                for (int c = 0; c < g.C; c++)
                    System.Numerics.Tensors.TensorPrimitives.Add(dx.AsSpan((n * g.C + c) * hw, hw), bias[c], dx.AsSpan((n * g.C + c) * hw, hw));
        return dx;
    }

    /// <summary>
    /// A stride-1 convolution's input gradient is itself a stride-1 convolution of dy with the kernel flipped in
    /// space and its channel axes swapped (per group), padded by (k - 1) * dilation - pad: this runs it through
    /// the forward path (a GEMM with K = O/groups * kH * kW instead of a thin GEMM plus col2im).
    /// </summary>
    // The input gradient as a stride-1 convolution of dy with the flipped, channel-swapped weights: its input is
    // dy (O channels, OH x OW) and its output dx (C channels, H x W).
    private static Conv2dGeometry FlippedGeometry(Conv2dGeometry g) => new(N: g.N, C: g.O, H: g.OH, W: g.OW, O: g.C,
        KH: g.KH, KW: g.KW, OH: g.H, OW: g.W, StrideH: 1, StrideW: 1,
        PadTop: (g.KH - 1) * g.DilationH - g.PadTop, PadLeft: (g.KW - 1) * g.DilationW - g.PadLeft,
        DilationH: g.DilationH, DilationW: g.DilationW, Groups: g.Groups);

    private static FlippedWeights Flipped(float[] w, Conv2dGeometry g)
    {
        var flipped = new float[w.Length];
        FlipTransposed(w, g, flipped);
        return new FlippedWeights(flipped, g.Groups, g.KH, g.KW, g.O);
    }

    /// <summary>r = w' [C, O/groups, kH, kW] with w'[grp, c, o, kh, kw] = w[grp, o, c, kH-1-kh, kW-1-kw].</summary>
    private static void FlipTransposed(float[] w, Conv2dGeometry g, float[] r)
    {
        int cg = g.GroupInputChannels, og = g.GroupOutputChannels, kk = g.KH * g.KW;
        for (int grp = 0; grp < g.Groups; grp++)
            for (int o = 0; o < og; o++)
                for (int c = 0; c < cg; c++)
                {
                    int src = ((grp * og + o) * cg + c) * kk, dst = ((grp * cg + c) * og + o) * kk;
                    for (int k = 0; k < kk; k++) r[dst + k] = w[src + kk - 1 - k];
                }
    }

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry geometry)
    {
        Interlocked.Increment(ref _weightGradientCalls);
        var g = geometry;
        var xv = Data(x);
        var dyv = Data(dy);
        int ohw = g.OH * g.OW, cg = g.GroupInputChannels, og = g.GroupOutputChannels, kc = cg * g.KH * g.KW;
        var dw = NewZeroed((long)g.O * kc);
        if (dw.Length == 0 || g.N == 0) return Wrap(dw);
        fixed (float* px = xv, pdy = dyv, pdw = dw)
        {
            nint nx = (nint)px, ndy = (nint)pdy, ndw = (nint)pdw;
            if (cg == 1)
            {
                For(g.O, (long)g.N * ohw * g.KH * g.KW * 2, (s, e) => DepthwiseConv.BackwardWeight((float*)nx, (float*)ndy, (float*)ndw, g, s, e));
                return Wrap(dw);
            }
            float* col = g.IsPointwise ? null : PackBuffer.Columns((long)kc * ohw);
            nint ncol = (nint)col;
            for (int n = 0; n < g.N; n++)
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    float* xg = px + ((long)n * g.C + grp * cg) * g.H * g.W;
                    float* b = xg;
                    if (!g.IsPointwise)
                    {
                        nint nxg = (nint)xg;
                        For(kc, ohw, (s, e) => Im2Col.Unfold((float*)nxg, (float*)ncol, g, s, e));
                        b = col;
                    }
                    Sgemm.Multiply(og, kc, ohw, 1f, pdy + ((long)n * g.O + grp * og) * ohw, ohw, false, b, ohw, true,
                        pdw + (long)grp * og * kc, kc, n > 0, Threads);
                }
        }
        return Wrap(dw);
    }
}
