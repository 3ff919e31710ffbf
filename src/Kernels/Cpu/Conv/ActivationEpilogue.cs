using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// A convolution's activation (<see cref="ConvEpilogue"/>) applied in place to finished output tiles (as a GEMM tile
/// epilogue) or planes (the depthwise path), with the same arithmetic as <see cref="ConvEpilogue.Apply"/>.
/// </summary>
internal readonly unsafe struct ActivationEpilogue(ConvEpilogue epilogue) : ITileEpilogue
{
    private readonly ConvEpilogue _e = epilogue;

    /// <inheritdoc/>
    public void Apply(float* c, nint ldc, int rows, int cols)
    {
        if (_e.Activation == ConvActivation.None) return;
        for (int i = 0; i < rows; i++) Row(c + i * ldc, cols);
    }

    /// <summary>Applies the activation to <paramref name="n"/> contiguous values.</summary>
    public void Apply(float* p, long n)
    {
        if (_e.Activation == ConvActivation.None) return;
        while (n > 0)
        {
            int len = (int)Math.Min(n, 1 << 20);
            Row(p, len);
            p += len;
            n -= len;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Row(float* p, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var alpha = Vector512.Create(_e.Alpha);
            var beta = Vector512.Create(_e.Beta);
            var one = Vector512.Create(1f);
            switch (_e.Activation)
            {
                case ConvActivation.Relu:
                    for (; j + 16 <= n; j += 16)
                    {
                        var v = Vector512.Load(p + j);
                        Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, Vector512<float>.Zero).Store(p + j);
                    }
                    break;
                case ConvActivation.Clip:
                    for (; j + 16 <= n; j += 16)
                    {
                        var v = Vector512.Load(p + j);
                        var lo = Vector512.ConditionalSelect(Vector512.LessThan(v, alpha), alpha, v);
                        Vector512.ConditionalSelect(Vector512.GreaterThan(lo, beta), beta, lo).Store(p + j);
                    }
                    break;
                case ConvActivation.LeakyRelu:
                    for (; j + 16 <= n; j += 16)
                    {
                        var v = Vector512.Load(p + j);
                        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, Vector512<float>.Zero), v, v * alpha).Store(p + j);
                    }
                    break;
                case ConvActivation.HardSigmoid:
                    for (; j + 16 <= n; j += 16)
                    {
                        var s = Vector512.Load(p + j) * alpha + beta;
                        // Selecting the bound only where the comparison holds keeps a NaN a NaN, as MathF.Min/Max do.
                        var hi = Vector512.ConditionalSelect(Vector512.GreaterThan(s, one), one, s);
                        Vector512.ConditionalSelect(Vector512.LessThan(hi, Vector512<float>.Zero), Vector512<float>.Zero, hi).Store(p + j);
                    }
                    break;
            }
        }
        for (; j < n; j++) p[j] = _e.Apply(p[j]);
    }
}
