using System.Runtime.CompilerServices;

namespace FeatureViz.Kernels.Cpu.Gemm;

/// <summary>
/// Per-thread, pinned, 64-byte aligned scratch memory for packed GEMM panels and im2col columns. Grows on demand and
/// is reused across calls, so hot loops never allocate.
/// </summary>
internal static unsafe class PackBuffer
{
    [ThreadStatic] private static float[]? _a;
    [ThreadStatic] private static float[]? _b;
    [ThreadStatic] private static float[]? _c;

    /// <summary>Scratch for packed A panels.</summary>
    public static float* A(long floats) => Get(ref _a, floats);

    /// <summary>Scratch for packed B panels.</summary>
    public static float* B(long floats) => Get(ref _b, floats);

    /// <summary>Scratch for im2col columns (distinct from the GEMM panels).</summary>
    public static float* Columns(long floats) => Get(ref _c, floats);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Get(ref float[]? buffer, long floats)
    {
        if (buffer is null || buffer.Length < floats + 16)
            buffer = GC.AllocateUninitializedArray<float>((int)Math.Max(floats + 16, (buffer?.Length ?? 0) * 3L / 2), pinned: true);
        // Pinned arrays never move, so the address stays valid for the thread's lifetime of the array.
        return Align64((float*)Unsafe.AsPointer(ref buffer[0]));
    }

    /// <summary>
    /// <paramref name="p"/> rounded up to a 64-byte boundary (array data is only 8-byte aligned; vectors that straddle
    /// cache lines are slow). Callers reserve 16 extra floats.
    /// </summary>
    public static float* Align64(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
}
