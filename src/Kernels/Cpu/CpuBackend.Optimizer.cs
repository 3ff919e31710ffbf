using System.Runtime.InteropServices;
using System.Numerics;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public (TensorStorage Parameter, TensorStorage M, TensorStorage V) MomentUpdate(TensorStorage parameter,
        TensorStorage gradient, TensorStorage? m, TensorStorage? v, MomentUpdateRule rule)
    {
        var p = Data(parameter);
        var g = Data(gradient);
        var m0 = m is null ? null : Data(m);
        var v0 = v is null ? null : Data(v);
        var p1 = NewUninitialized(p.Length);
        var m1 = NewUninitialized(p.Length);
        var v1 = NewUninitialized(p.Length);
        For(p.Length, 8, (s, e) => MomentRow(rule, p.AsSpan(s, e - s), g.AsSpan(s, e - s),
            m0 is null ? default : m0.AsSpan(s, e - s), v0 is null ? default : v0.AsSpan(s, e - s),
            p1.AsSpan(s, e - s), m1.AsSpan(s, e - s), v1.AsSpan(s, e - s)));
        return (Wrap(p1), Wrap(m1), Wrap(v1));
    }

    /// <summary>The update of <see cref="MomentUpdate"/> over one slice; empty <paramref name="m"/>/<paramref name="v"/> mean zeros.</summary>
    private static void MomentRow(MomentUpdateRule r, ReadOnlySpan<float> p, ReadOnlySpan<float> g, ReadOnlySpan<float> m,
        ReadOnlySpan<float> v, Span<float> pOut, Span<float> mOut, Span<float> vOut)
    {
        int n = p.Length, i = 0;
        bool first = m.IsEmpty || v.IsEmpty;
        float b1 = r.Beta1, c1 = 1f - r.Beta1, b2 = r.Beta2, c2 = 1f - r.Beta2;
        // Memory-bound (seven streams): Vector<T>, whatever its width, runs at the bandwidth.
        if (Vector.IsHardwareAccelerated)
        {
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float mr = ref MemoryMarshal.GetReference(m);
            ref float vr = ref MemoryMarshal.GetReference(v);
            ref float po = ref MemoryMarshal.GetReference(pOut);
            ref float mo = ref MemoryMarshal.GetReference(mOut);
            ref float vo = ref MemoryMarshal.GetReference(vOut);
            var vb1 = new Vector<float>(b1);
            var vc1 = new Vector<float>(c1);
            var vb2 = new Vector<float>(b2);
            var vc2 = new Vector<float>(c2);
            var vms = new Vector<float>(r.MomentScale);
            var vgs = new Vector<float>(r.GradientScale);
            var vvs = new Vector<float>(r.VarianceScale);
            var veps = new Vector<float>(r.Epsilon);
            int vc = Vector<float>.Count;
            for (; i <= n - vc; i += vc)
            {
                var gi = Vector.LoadUnsafe(ref gr, (nuint)i);
                var mi = (first ? Vector<float>.Zero : Vector.LoadUnsafe(ref mr, (nuint)i) * vb1) + gi * vc1;
                var vi = (first ? Vector<float>.Zero : Vector.LoadUnsafe(ref vr, (nuint)i) * vb2) + gi * gi * vc2;
                var step = (mi * vms + gi * vgs) / (Vector.SquareRoot(vi) * vvs + veps);
                (Vector.LoadUnsafe(ref pr, (nuint)i) - step).StoreUnsafe(ref po, (nuint)i);
                mi.StoreUnsafe(ref mo, (nuint)i);
                vi.StoreUnsafe(ref vo, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = g[i];
            float mi = (first ? 0f : m[i] * b1) + gi * c1;
            float vi = (first ? 0f : v[i] * b2) + gi * gi * c2;
            mOut[i] = mi;
            vOut[i] = vi;
            pOut[i] = p[i] - (mi * r.MomentScale + gi * r.GradientScale) / (MathF.Sqrt(vi) * r.VarianceScale + r.Epsilon);
        }
    }
}
