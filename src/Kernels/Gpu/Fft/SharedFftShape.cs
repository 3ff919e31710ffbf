namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Kernel argument of <see cref="StockhamKernels.SharedFft"/>: <see cref="Sequences"/> contiguous sequences of
/// <see cref="Length"/> points, <see cref="PerGroup"/> of them per group, and up to <see cref="MaxPasses"/> radices.
/// </summary>
internal struct SharedFftShape
{
    /// <summary>Most passes one shared-memory plan holds (enough for every factorable length up to 4096).</summary>
    public const int MaxPasses = 8;

    /// <summary>Complex elements of each of the kernel's two shared buffers (together 32 KB).</summary>
    public const int Elements = 2048;

    public int Length;
    public int Sequences;
    public int PerGroup;
    public int Passes;
    public int R0, R1, R2, R3, R4, R5, R6, R7;

    public readonly int Radix(int pass) => pass switch
    {
        0 => R0,
        1 => R1,
        2 => R2,
        3 => R3,
        4 => R4,
        5 => R5,
        6 => R6,
        _ => R7,
    };

    public static SharedFftShape For(IReadOnlyList<int> radices, int length, int sequences, int perGroup)
    {
        if (radices.Count > MaxPasses) throw new ArgumentException($"SharedFft: {radices.Count} passes for length {length}, at most {MaxPasses}.", nameof(radices));
        int R(int p) => p < radices.Count ? radices[p] : 2;
        return new SharedFftShape
        {
            Length = length, Sequences = sequences, PerGroup = perGroup, Passes = radices.Count,
            R0 = R(0), R1 = R(1), R2 = R(2), R3 = R(3), R4 = R(4), R5 = R(5), R6 = R(6), R7 = R(7),
        };
    }
}
