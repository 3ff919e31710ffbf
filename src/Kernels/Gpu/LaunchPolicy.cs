using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu;

/// <summary>How many groups of how many threads a grid-stride kernel gets on a device.</summary>
/// <param name="GroupSize">Threads per group (a multiple of the warp size).</param>
/// <param name="MaxGroups">Upper bound on the number of groups (a few per SM on a GPU, one or two on the simulator).</param>
public readonly record struct LaunchPolicy(int GroupSize, int MaxGroups)
{
    /// <summary>A grid for <paramref name="work"/> items, each thread looping with the grid's stride.</summary>
    public KernelConfig For(long work)
    {
        long groups = Math.Max(1, Math.Min(MaxGroups, (work + GroupSize - 1) / GroupSize));
        return new KernelConfig(new Index1D((int)groups), new Index1D(GroupSize));
    }

    /// <summary>A grid of exactly <paramref name="groups"/> groups (capped at <see cref="MaxGroups"/>), e.g. one per reduced row.</summary>
    public KernelConfig Groups(long groups) =>
        new(new Index1D((int)Math.Max(1, Math.Min(MaxGroups, groups))), new Index1D(GroupSize));
}
