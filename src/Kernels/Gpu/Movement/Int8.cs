namespace FeatureViz.Kernels.Gpu.Movement;

/// <summary>
/// Eight integers as plain fields, a kernel argument with no host array behind it; <see cref="Get"/> indexes them
/// with a switch (ILGPU 1.5.3 would put a local array in local memory).
/// </summary>
public struct Int8
{
#pragma warning disable CS1591 // element k
    public int E0, E1, E2, E3, E4, E5, E6, E7;
#pragma warning restore CS1591

    /// <summary>Element <paramref name="k"/> (0 to 7).</summary>
    public readonly int Get(int k) => k switch
    {
        0 => E0, 1 => E1, 2 => E2, 3 => E3, 4 => E4, 5 => E5, 6 => E6, _ => E7,
    };

    /// <summary>Sets element <paramref name="k"/> (host side).</summary>
    public void Set(int k, int value)
    {
        switch (k)
        {
            case 0: E0 = value; break;
            case 1: E1 = value; break;
            case 2: E2 = value; break;
            case 3: E3 = value; break;
            case 4: E4 = value; break;
            case 5: E5 = value; break;
            case 6: E6 = value; break;
            case 7: E7 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(k), k, "Int8: index out of [0, 8).");
        }
    }
}
