using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Reductions;

/// <summary>How a reduction is spread over the device.</summary>
public enum ReduceStrategy
{
    /// <summary>Chosen from the shape.</summary>
    Auto,

    /// <summary>A group per output, its threads striding over the reduced axis.</summary>
    GroupPerOutput,

    /// <summary>A thread per output, looping over the reduced axis.</summary>
    ThreadPerOutput,

    /// <summary>A group per output combining through a shared-memory tree, without warp shuffles (what non-Intel OpenCL gets).</summary>
    GroupPerOutputSharedTree,
}

/// <summary>Launches the reductions (sum, max, min) on a <see cref="GpuAccelerator"/>'s stream.</summary>
public static class GpuReduce
{
    /// <summary>Reduces x seen as [<paramref name="outer"/>, <paramref name="reduce"/>, <paramref name="inner"/>] into y [outer, inner].</summary>
    public static void Reduce(GpuAccelerator gpu, ReduceKind kind, ArrayView<float> x, int outer, int reduce, int inner,
        ArrayView<float> y, ReduceStrategy strategy = ReduceStrategy.Auto)
    {
        if (outer < 1 || reduce < 1 || inner < 1)
            throw new ArgumentException($"Reduce{kind}: [outer, reduce, inner] = [{outer}, {reduce}, {inner}] must be positive.", nameof(reduce));
        GpuElementwise.RequireLength($"Reduce{kind}", "x", x, (long)outer * reduce * inner);
        GpuElementwise.RequireLength($"Reduce{kind}", "y", y, (long)outer * inner);
        switch (kind)
        {
            case ReduceKind.Sum: Launch(gpu, new SumReduce(), x, y, reduce, inner, strategy); break;
            case ReduceKind.Max: Launch(gpu, new MaxReduce(), x, y, reduce, inner, strategy); break;
            case ReduceKind.Min: Launch(gpu, new MinReduce(), x, y, reduce, inner, strategy); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown reduction.");
        }
    }

    /// <summary>
    /// Reduces over <paramref name="axes"/> (sorted, distinct) of a contiguous tensor of <paramref name="shape"/>; y has the
    /// keepdims shape's element count. Each run of adjacent axes is one pass; several runs use device temporaries.
    /// </summary>
    public static void Reduce(GpuAccelerator gpu, ReduceKind kind, ArrayView<float> x, ReadOnlySpan<int> shape,
        ReadOnlySpan<int> axes, ArrayView<float> y)
    {
        var dims = shape.ToArray();
        for (int k = 0; k < axes.Length; k++)
            if (axes[k] < 0 || axes[k] >= dims.Length || (k > 0 && axes[k] <= axes[k - 1]))
                throw new ArgumentException($"Reduce{kind}: axes [{string.Join(", ", axes.ToArray())}] must be sorted, distinct and within rank {dims.Length} of [{string.Join(", ", dims)}].", nameof(axes));
        // Runs of adjacent axes, reduced from the last run to the first.
        var runs = new List<(int Start, int End)>();
        for (int k = 0; k < axes.Length;)
        {
            int start = axes[k], end = start + 1;
            while (++k < axes.Length && axes[k] == end) end++;
            runs.Add((start, end));
        }
        if (runs.Count == 0)
        {
            GpuElementwise.RequireLength($"Reduce{kind}", "y", y, x.Length);
            y.CopyFrom(gpu.Stream, x);
            return;
        }
        var temporaries = new List<MemoryBuffer1D<float, Stride1D.Dense>>();
        try
        {
            var source = x;
            for (int r = runs.Count - 1; r >= 0; r--)
            {
                var (start, end) = runs[r];
                int outer = Product(dims, 0, start), reduce = Product(dims, start, end), inner = Product(dims, end, dims.Length);
                for (int k = start; k < end; k++) dims[k] = 1;
                ArrayView<float> target;
                if (r == 0) target = y;
                else
                {
                    var buffer = gpu.Accelerator.Allocate1D<float>((long)outer * inner);
                    temporaries.Add(buffer);
                    target = buffer.View;
                }
                Reduce(gpu, kind, source, outer, reduce, inner, target);
                source = target;
            }
            if (temporaries.Count > 0) gpu.Synchronize();
        }
        finally
        {
            foreach (var t in temporaries) t.Dispose();
        }
    }

    private static void Launch<TOp>(GpuAccelerator gpu, TOp op, ArrayView<float> x, ArrayView<float> y, int reduce, int inner,
        ReduceStrategy strategy) where TOp : struct, IReduceOp
    {
        long outputs = y.Length;
        if (strategy == ReduceStrategy.Auto)
            strategy = inner > 1 && outputs >= gpu.Policy.GroupSize ? ReduceStrategy.ThreadPerOutput : ReduceStrategy.GroupPerOutput;
        if (strategy == ReduceStrategy.ThreadPerOutput)
        {
            var byThread = gpu.Kernels.Get(nameof(ReduceKernels.ReduceByThread), typeof(TOp),
                a => a.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, TOp>(ReduceKernels.ReduceByThread));
            byThread(gpu.Stream, gpu.Policy.For(outputs), x, y, reduce, inner, op);
            return;
        }
        var grid = gpu.Policy.Groups(outputs);
        if (strategy == ReduceStrategy.GroupPerOutput && UsesWarpShuffles(gpu))
        {
            var byGroup = gpu.Kernels.Get(nameof(ReduceKernels.ReduceByGroup), typeof(TOp),
                a => a.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, TOp, ShuffleReduceMode>(ReduceKernels.ReduceByGroup));
            int warps = (grid.GroupDim.X + gpu.Info.WarpSize - 1) / gpu.Info.WarpSize;
            byGroup(gpu.Stream, new KernelConfig(grid.GridDim, grid.GroupDim, SharedMemoryConfig.RequestDynamic<float>(warps)), x, y, reduce, inner, op, default);
        }
        else
        {
            var byTree = gpu.Kernels.Get(nameof(ReduceKernels.ReduceByGroup) + "Tree", typeof(TOp),
                a => a.LoadKernel<ArrayView<float>, ArrayView<float>, int, int, TOp, TreeReduceMode>(ReduceKernels.ReduceByGroup));
            byTree(gpu.Stream, new KernelConfig(grid.GridDim, grid.GroupDim, SharedMemoryConfig.RequestDynamic<float>(grid.GroupDim.X)), x, y, reduce, inner, op, default);
        }
    }

    /// <summary>False on OpenCL devices other than Intel's, for which ILGPU 1.5.3 generates no warp shuffles.</summary>
    private static bool UsesWarpShuffles(GpuAccelerator gpu) =>
        gpu.Accelerator is not ILGPU.Runtime.OpenCL.CLAccelerator cl || cl.Vendor == ILGPU.Runtime.OpenCL.CLDeviceVendor.Intel;

    private static int Product(int[] dims, int from, int to)
    {
        int p = 1;
        for (int k = from; k < to; k++) p *= dims[k];
        return p;
    }

    internal static IEnumerable<Type> OpTypes() => [typeof(SumReduce), typeof(MaxReduce), typeof(MinReduce)];

    /// <summary>The group-reduction modes: shuffles on CUDA, a shared-memory tree on (non-Intel) OpenCL.</summary>
    internal static IEnumerable<(Type Mode, bool OpenCL)> Modes() => [(typeof(ShuffleReduceMode), false), (typeof(TreeReduceMode), true)];
}
