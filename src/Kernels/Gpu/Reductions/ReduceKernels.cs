using ILGPU;

namespace FeatureViz.Kernels.Gpu.Reductions;

/// <summary>
/// Device code of the reductions of a tensor seen as [outer, reduce, inner] into [outer, inner]. Correct for any
/// (power-of-two) warp size and any number of warps per group: the per-warp partials go through shared memory and
/// are folded by the first warp in a strided loop, not one partial per lane. ILGPU's OpenCL backend emits warp
/// shuffles for Intel devices only, so a mode type argument selects a shared-memory tree there instead.
/// </summary>
internal static class ReduceKernels
{
    /// <summary>One group per output (grid-stride over outputs): for contiguous or long reductions.</summary>
    public static void ReduceByGroup<TOp, TMode>(ArrayView<float> x, ArrayView<float> y, int reduce, int inner, TOp op, TMode mode)
        where TOp : struct, IReduceOp where TMode : struct, IGroupReduceMode
    {
        var partials = SharedMemory.GetDynamic<float>();
        int outputs = (int)y.Length;
        for (int o = Grid.IdxX; o < outputs; o += Grid.DimX)
        {
            int outer = o / inner, i = o - outer * inner;
            int baseIndex = outer * reduce * inner + i;
            float v = op.Identity;
            for (int r = Group.IdxX; r < reduce; r += Group.DimX) v = op.Combine(v, x[baseIndex + r * inner]);
            v = mode.WarpShuffles ? GroupReduce(v, partials, op) : TreeReduce(v, partials, op);
            if (Group.IdxX == 0) y[o] = v;
            // The next output's partials reuse the shared buffer.
            Group.Barrier();
        }
    }

    /// <summary>One thread per output (grid-stride): for many outputs with a strided (inner &gt; 1) reduction, coalesced along inner.</summary>
    public static void ReduceByThread<TOp>(ArrayView<float> x, ArrayView<float> y, int reduce, int inner, TOp op)
        where TOp : struct, IReduceOp
    {
        int outputs = (int)y.Length;
        for (int o = Grid.GlobalIndex.X; o < outputs; o += Grid.DimX * Group.DimX)
        {
            int outer = o / inner, i = o - outer * inner;
            int index = outer * reduce * inner + i;
            float v = op.Identity;
            for (int r = 0; r < reduce; r++, index += inner) v = op.Combine(v, x[index]);
            y[o] = v;
        }
    }

    /// <summary>Reduces over the group through shared memory only; thread 0 holds the result. <paramref name="scratch"/> has one slot per thread.</summary>
    public static float TreeReduce<TOp>(float v, ArrayView<float> scratch, TOp op) where TOp : struct, IReduceOp
    {
        int tid = Group.IdxX, size = Group.DimX;
        scratch[tid] = v;
        Group.Barrier();
        int half = 1;
        while (half * 2 < size) half *= 2;
        for (; half > 0; half >>= 1)
        {
            if (tid < half && tid + half < size) scratch[tid] = op.Combine(scratch[tid], scratch[tid + half]);
            Group.Barrier();
        }
        return scratch[0];
    }

    /// <summary>Reduces within the warp; lane 0 holds the result (warp size a power of two).</summary>
    public static float WarpReduce<TOp>(float v, TOp op) where TOp : struct, IReduceOp
    {
        for (int offset = Warp.WarpSize / 2; offset > 0; offset >>= 1) v = op.Combine(v, Warp.ShuffleDown(v, offset));
        return v;
    }

    /// <summary>Reduces over the group; thread 0 holds the result. <paramref name="partials"/> has one slot per warp.</summary>
    public static float GroupReduce<TOp>(float v, ArrayView<float> partials, TOp op) where TOp : struct, IReduceOp
    {
        v = WarpReduce(v, op);
        int warps = (Group.DimX + Warp.WarpSize - 1) / Warp.WarpSize;
        if (Warp.IsFirstLane) partials[Warp.WarpIdx] = v;
        Group.Barrier();
        if (Warp.WarpIdx == 0)
        {
            v = op.Identity;
            for (int w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) v = op.Combine(v, partials[w]);
            v = WarpReduce(v, op);
        }
        return v;
    }
}
