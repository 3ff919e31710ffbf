using FeatureViz.Kernels.Cpu.Conv;
using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed unsafe partial class CpuBackend
{
    private long _weightGradientCalls;

    /// <summary>How many times <see cref="Conv2dBackwardWeight"/> ran on this backend (tests check frozen weights skip it).</summary>
    internal long WeightGradientCalls => Interlocked.Read(ref _weightGradientCalls);

    /// <inheritdoc/>
    public TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry geometry)
    {
        var g = geometry;
        var av = Data(a);
        var bv = Data(b);
        var y = new float[g.OutputLength];
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

        // Entries writing the same output must run one after another (accumulating); distinct ones may run side by side.
        var written = new bool[Math.Max(1, g.OutputLength / Math.Max(1, mn))];
        bool distinct = true;
        foreach (var off in g.YOffsets)
        {
            if (written[off / mn]) distinct = false;
            written[off / mn] = true;
        }
        Array.Clear(written);
        int lda = g.TransA ? g.M : g.K, ldb = g.TransB ? g.K : g.N;
        fixed (float* pa = av, pb = bv, py = y)
        {
            nint na = (nint)pa, nb = (nint)pb, ny = (nint)py;
            long perProduct = 2L * g.M * g.N * g.K;
            if (distinct && g.Batch > 1 && perProduct < 8_000_000)
            {
                For(g.Batch, perProduct, (s, e) =>
                {
                    for (int i = s; i < e; i++)
                        Sgemm.Multiply(g.M, g.N, g.K, g.Alpha, (float*)na + g.AOffsets[i], lda, g.TransA, (float*)nb + g.BOffsets[i], ldb, g.TransB,
                            (float*)ny + g.YOffsets[i], g.N, haveC, 1);
                });
            }
            else
            {
                for (int i = 0; i < g.Batch; i++)
                {
                    int q = g.YOffsets[i] / mn;
                    Sgemm.Multiply(g.M, g.N, g.K, g.Alpha, pa + g.AOffsets[i], lda, g.TransA, pb + g.BOffsets[i], ldb, g.TransB,
                        py + g.YOffsets[i], g.N, haveC || written[q], Threads);
                    written[q] = true;
                }
            }
        }
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry)
    {
        var g = geometry;
        var xv = Data(x);
        var wv = Data(w);
        int ohw = g.OH * g.OW;
        var y = new float[(long)g.N * g.O * ohw];
        if (bias is not null)
        {
            var bv = Data(bias);
            for (int n = 0; n < g.N; n++)
                for (int o = 0; o < g.O; o++)
                    y.AsSpan((n * g.O + o) * ohw, ohw).Fill(bv[o]);
        }
        if (y.Length == 0) return Wrap(y);
        fixed (float* px = xv, pw = wv, py = y)
        {
            nint nx = (nint)px, nw = (nint)pw, ny = (nint)py;
            if (g.GroupInputChannels == 1)
            {
                For(g.N * g.O, (long)ohw * g.KH * g.KW * 2, (s, e) => DepthwiseConv.Forward((float*)nx, (float*)nw, (float*)ny, g, s, e));
                return Wrap(y);
            }
            int cg = g.GroupInputChannels, og = g.GroupOutputChannels, kc = cg * g.KH * g.KW;
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
                    Sgemm.Multiply(og, ohw, kc, 1f, pw + (long)grp * og * kc, kc, false, b, ohw, false,
                        py + ((long)n * g.O + grp * og) * ohw, ohw, bias is not null, Threads);
                }
        }
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry geometry) =>
        Wrap(BackwardInput(Data(dy), Data(w), null, geometry));

    /// <inheritdoc/>
    public TensorStorage ConvTranspose2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        Wrap(BackwardInput(Data(x), Data(w), bias is null ? null : Data(bias), geometry));

    /// <summary>dx = W^T dy folded back into images (col2im), optionally plus a per-input-channel bias.</summary>
    private float[] BackwardInput(float[] dyv, float[] wv, float[]? bias, Conv2dGeometry g)
    {
        int ohw = g.OH * g.OW, hw = g.H * g.W;
        var dx = new float[(long)g.N * g.C * hw];
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

    /// <inheritdoc/>
    public TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry geometry)
    {
        Interlocked.Increment(ref _weightGradientCalls);
        var g = geometry;
        var xv = Data(x);
        var dyv = Data(dy);
        int ohw = g.OH * g.OW, cg = g.GroupInputChannels, og = g.GroupOutputChannels, kc = cg * g.KH * g.KW;
        var dw = new float[(long)g.O * kc];
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
