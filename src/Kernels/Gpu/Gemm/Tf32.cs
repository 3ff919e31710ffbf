using ILGPU;
using ILGPU.Runtime.Cuda;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// TF32 arithmetic of the tensor-core SGEMM: operands rounded to TF32 (8-bit exponent, 10-bit mantissa) with
/// round-to-nearest, ties away from zero (as <c>cvt.rna.tf32.f32</c>), products of two TF32 values exact in FP32 and
/// accumulated in FP32.
/// </summary>
/// <remarks>
/// Error bound of each element of alpha * op(A) op(B) before beta and bias: with u = 2^-11 the TF32 rounding unit, each
/// rounded product is within (2u + u^2) |a||b| of the exact one, and K FP32 additions (the tensor core may truncate
/// rather than round, hence 2^-23 per addition instead of 2^-24) add at most K 2^-23 sum|a||b|, so
/// |C - A B| &lt;= (2^-10 + 2^-22 + K 2^-23) |alpha| sum_k |a_ik||b_kj| (<see cref="ErrorBound"/>).
/// For K = 4096 that is 1.5e-3 of sum|a||b|, against 2.4e-4 for the FP32 path.
/// </remarks>
public static class Tf32
{
    /// <summary>The relative bound above: |C - A B| &lt;= ErrorBound(K) * |alpha| * sum_k |a_ik||b_kj|.</summary>
    public static double ErrorBound(int k) => Math.Pow(2, -10) + Math.Pow(2, -22) + k * Math.Pow(2, -23);

    /// <summary><paramref name="x"/> rounded to TF32 (nearest, ties away from zero); infinities and NaN unchanged.</summary>
    public static float Round(float x)
    {
        uint bits = Interop.FloatAsInt(x);
        if ((bits & 0x7F800000u) == 0x7F800000u) return x;
        return Interop.IntAsFloat((bits + 0x1000u) & 0xFFFFE000u);
    }

    internal static Quad Round(Quad v) => new(Round(v.X), Round(v.Y), Round(v.Z), Round(v.W));

    /// <summary>
    /// Host emulation of the kernel's arithmetic: C = alpha * sum_k Round(a_ik) Round(b_kj) accumulated in FP32 in
    /// ascending k (row-major M x K times K x N), the order the CPU-simulator fallback of the kernel uses too.
    /// </summary>
    public static float[] EmulateGemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k, float alpha = 1f)
    {
        var c = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = 0f;
                for (int q = 0; q < k; q++) acc += Round(a[i * k + q]) * Round(b[q * n + j]);
                c[i * n + j] = alpha * acc;
            }
        return c;
    }
}

/// <summary>
/// D = A B + C for one warp's m16n8k8 TF32 tile, fragments in the PTX ISA's layout for <c>.row.col</c> (lane = 4 g + t;
/// a0..a3 = A[g][t], A[g+8][t], A[g][t+4], A[g+8][t+4]; b0, b1 = B[t][g], B[t+4][g];
/// d = D[g][2t], D[g][2t+1], D[g+8][2t], D[g+8][2t+1]); inputs already TF32 values. A generic struct constant of the
/// kernel, so the GPU code holds only the <c>mma.sync</c> and the simulator only the emulation.
/// </summary>
public interface IMmaTf32
{
    /// <summary>The updated accumulator quad.</summary>
    Quad Mma(Quad d, float a0, float a1, float a2, float a3, float b0, float b1);
}

/// <summary>One <c>mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32</c> (CUDA, sm_80 and later).</summary>
public readonly struct TensorCoreMma : IMmaTf32
{
    /// <inheritdoc />
    public Quad Mma(Quad d, float a0, float a1, float a2, float a3, float b0, float b1)
    {
        Ref<float> d0 = d.X, d1 = d.Y, d2 = d.Z, d3 = d.W;
        Input<uint> ra0 = Interop.FloatAsInt(a0), ra1 = Interop.FloatAsInt(a1), ra2 = Interop.FloatAsInt(a2), ra3 = Interop.FloatAsInt(a3);
        Input<uint> rb0 = Interop.FloatAsInt(b0), rb1 = Interop.FloatAsInt(b1);
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};",
            ref d0, ref d1, ref d2, ref d3, ref ra0, ref ra1, ref ra2, ref ra3, ref rb0, ref rb1);
        return new Quad(d0.Value, d1.Value, d2.Value, d3.Value);
    }
}

/// <summary>
/// The same product from warp shuffles, accumulating k = 0..7 in order (as <see cref="Tf32.EmulateGemm"/>): lets ILGPU's
/// CPU simulator (warp size 32) check the kernel's fragment layout.
/// </summary>
public readonly struct ShuffleMma : IMmaTf32
{
    /// <inheritdoc />
    public Quad Mma(Quad d, float a0, float a1, float a2, float a3, float b0, float b1)
    {
        int lane = Warp.LaneIdx, g = lane >> 2, t = lane & 3;
        d = MmaStep(d, a0, a1, b0, g, t, 0);
        d = MmaStep(d, a0, a1, b0, g, t, 1);
        d = MmaStep(d, a0, a1, b0, g, t, 2);
        d = MmaStep(d, a0, a1, b0, g, t, 3);
        d = MmaStep(d, a2, a3, b1, g, t, 0);
        d = MmaStep(d, a2, a3, b1, g, t, 1);
        d = MmaStep(d, a2, a3, b1, g, t, 2);
        d = MmaStep(d, a2, a3, b1, g, t, 3);
        return d;
    }

    // k step kt of a half (a0/a1/b0 for k < 4, a2/a3/b1 for k >= 4): A[g][k] lives in lane 4g + kt, B[k][n] in lane 4n + kt.
    private static Quad MmaStep(Quad d, float aLow, float aHigh, float bHalf, int g, int t, int kt)
    {
        float x0 = Warp.Shuffle(aLow, 4 * g + kt), x8 = Warp.Shuffle(aHigh, 4 * g + kt);
        float y0 = Warp.Shuffle(bHalf, 8 * t + kt), y1 = Warp.Shuffle(bHalf, 8 * t + 4 + kt);
        d.X += x0 * y0;
        d.Y += x0 * y1;
        d.Z += x8 * y0;
        d.W += x8 * y1;
        return d;
    }
}
