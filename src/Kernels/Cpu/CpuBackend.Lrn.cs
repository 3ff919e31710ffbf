using System.Numerics.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Lrn(TensorStorage x, LrnGeometry g)
    {
        var xs = Data(x);
        var y = NewUninitialized(xs.Length);
        int c = g.C, inner = g.Inner;
        For(g.N * c, (long)inner * (g.Before + g.After + 3), (s, e) =>
        {
            var acc = new float[inner];
            for (int nc = s; nc < e; nc++)
            {
                WindowSquareSum(xs, acc, nc, g);
                int off = nc * inner;
                TensorPrimitives.Multiply(acc, g.AlphaOverSize, acc);
                TensorPrimitives.Add(acc, g.Bias, acc);
                NegPow(acc, g.Beta, acc);
                TensorPrimitives.Multiply(xs.AsSpan(off, inner), acc, y.AsSpan(off, inner));
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage LrnBackward(TensorStorage x, TensorStorage dy, LrnGeometry g)
    {
        // y_c = x_c s_c^-b with s_c = bias + a/size sum_{c' in W(c)} x_c'^2, so
        // dx_j = dy_j s_j^-b - 2 b a/size x_j sum_{c : j in W(c)} dy_c x_c s_c^(-b-1).
        var xs = Data(x);
        var gs = Data(dy);
        int c = g.C, inner = g.Inner;
        var q = NewUninitialized(xs.Length); // s^-b
        var t = NewUninitialized(xs.Length); // dy x s^(-b-1)
        long work = (long)inner * (g.Before + g.After + 3);
        For(g.N * c, work, (s, e) =>
        {
            var acc = new float[inner];
            for (int nc = s; nc < e; nc++)
            {
                WindowSquareSum(xs, acc, nc, g);
                int off = nc * inner;
                var qs = q.AsSpan(off, inner);
                var ts = t.AsSpan(off, inner);
                TensorPrimitives.Multiply(acc, g.AlphaOverSize, acc);
                TensorPrimitives.Add(acc, g.Bias, acc);
                NegPow(acc, g.Beta, qs);
                TensorPrimitives.Multiply(gs.AsSpan(off, inner), xs.AsSpan(off, inner), ts);
                TensorPrimitives.Multiply(ts, qs, ts);
                TensorPrimitives.Divide(ts, acc, ts);
            }
        });
        var dx = NewUninitialized(xs.Length);
        float k = -2f * g.Beta * g.AlphaOverSize;
        For(g.N * c, work, (s, e) =>
        {
            var acc = new float[inner];
            for (int nj = s; nj < e; nj++)
            {
                int n = nj / c, j = nj % c;
                acc.AsSpan().Clear();
                // Channels c whose window [c - Before, c + After] contains j.
                int lo = Math.Max(0, j - g.After), hi = Math.Min(c - 1, j + g.Before);
                for (int cc = lo; cc <= hi; cc++)
                    TensorPrimitives.Add(acc, t.AsSpan((n * c + cc) * inner, inner), acc);
                int off = nj * inner;
                var d = dx.AsSpan(off, inner);
                TensorPrimitives.Multiply(xs.AsSpan(off, inner), acc, acc);
                TensorPrimitives.Multiply(gs.AsSpan(off, inner), q.AsSpan(off, inner), d);
                TensorPrimitives.MultiplyAdd(acc, k, d, d);
            }
        });
        Recycle(q);
        Recycle(t);
        return Wrap(dx);
    }

    /// <summary>d = s^-beta for s &gt; 0, as exp(-beta log s) (vectorised; TensorPrimitives.Pow is scalar).</summary>
    private static void NegPow(ReadOnlySpan<float> s, float beta, Span<float> d)
    {
        TensorPrimitives.Log(s, d);
        TensorPrimitives.Multiply(d, -beta, d);
        TensorPrimitives.Exp(d, d);
    }

    private static void WindowSquareSum(float[] xs, float[] acc, int nc, LrnGeometry g)
    {
        int c = g.C, inner = g.Inner, n = nc / c, ch = nc % c;
        acc.AsSpan().Clear();
        int lo = Math.Max(0, ch - g.Before), hi = Math.Min(c - 1, ch + g.After);
        for (int k = lo; k <= hi; k++)
        {
            var plane = xs.AsSpan((n * c + k) * inner, inner);
            TensorPrimitives.MultiplyAdd(plane, plane, acc, acc);
        }
    }
}
