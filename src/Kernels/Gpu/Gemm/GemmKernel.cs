using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// One SGEMM kernel configuration (algorithm and tile) that launches any operand readers: the 64x64/4x4 kernel
/// (<see cref="Small{TTile}"/>), the 128x128/8x8 double-buffered kernel (<see cref="Large{TTile}"/>) or the TF32
/// tensor-core kernel (<see cref="Tf32{TTile, TMma}"/>). <see cref="GemmPlanner"/> picks one per problem.
/// </summary>
public abstract class GemmKernel
{
    private protected GemmKernel(string name, int tileM, int tileN, int threads, int sharedFloats, bool needsWarp32)
    {
        Name = name;
        TileM = tileM;
        TileN = tileN;
        Threads = threads;
        SharedFloats = sharedFloats;
        NeedsWarp32 = needsWarp32;
    }

    /// <summary>Algorithm and tile, e.g. <c>Large&lt;GemmTile128&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>Rows of C per group tile.</summary>
    public int TileM { get; }

    /// <summary>Columns of C per group tile.</summary>
    public int TileN { get; }

    /// <summary>Threads per group.</summary>
    public int Threads { get; }

    /// <summary>Dynamic shared memory per group, in floats.</summary>
    public int SharedFloats { get; }

    /// <summary>Whether the kernel relies on 32-lane warps (the TF32 fragments).</summary>
    public bool NeedsWarp32 { get; }

    /// <summary>The 4x4-per-thread kernel with <typeparamref name="TTile"/>.</summary>
    public static GemmKernel Small<TTile>() where TTile : struct, IGemmTile => new SmallGemm<TTile>();

    /// <summary>The 8x8-per-thread double-buffered kernel with <typeparamref name="TTile"/>.</summary>
    public static GemmKernel Large<TTile>() where TTile : struct, ILargeGemmTile => new LargeGemm<TTile>();

    /// <summary>
    /// The TF32 tensor-core kernel with <typeparamref name="TTile"/> and <typeparamref name="TMma"/>
    /// (<see cref="TensorCoreMma"/> on CUDA, <see cref="ShuffleMma"/> on the simulator); error bound: <see cref="Gemm.Tf32"/>.
    /// </summary>
    public static GemmKernel Tf32<TTile, TMma>() where TTile : struct, ITf32GemmTile where TMma : struct, IMmaTf32 => new Tf32Gemm<TTile, TMma>();

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Queues C = alpha op(A) op(B) + beta C (+ bias per row when <see cref="GemmShape.HasBias"/>) on the accelerator's stream.</summary>
    internal void Launch<TA, TB>(GpuAccelerator gpu, string op, ArrayView<float> a, TA aOp, ArrayView<float> b, TB bOp,
        ArrayView<float> c, StridedMatrix cLayout, GemmShape shape, ArrayView<float> bias)
        where TA : struct, IGemmOperand where TB : struct, IGemmOperand
    {
        if (NeedsWarp32 && gpu.Info.WarpSize != 32)
            throw new ArgumentException($"{op}: GEMM kernel {Name} needs 32-lane warps; {gpu.Info.Moniker} has {gpu.Info.WarpSize}.", nameof(gpu));
        if (Threads > gpu.Info.MaxGroupSize)
            throw new ArgumentException($"{op}: GEMM kernel {Name} ({TileM}x{TileN} tile) needs {Threads} threads per group; {gpu.Info.Moniker} allows {gpu.Info.MaxGroupSize}.", nameof(gpu));
        if (shape.HasBias != 0 && bias.Length < (long)cLayout.BatchDiv * shape.M)
            throw new ArgumentException($"{op}: bias has {bias.Length} elements; {cLayout.BatchDiv} x {shape.M} rows need {(long)cLayout.BatchDiv * shape.M}.", nameof(bias));
        long tiles = (long)((shape.M + TileM - 1) / TileM) * ((shape.N + TileN - 1) / TileN) * shape.Batch;
        int groups = (int)Math.Min(tiles, Math.Max(gpu.Policy.MaxGroups, 1));
        var config = new KernelConfig(new Index1D(groups), new Index1D(Threads), SharedMemoryConfig.RequestDynamic<float>(SharedFloats));
        Queue(gpu, config, a, aOp, b, bOp, c, cLayout.WithVectorAccessFor(c), shape, shape.HasBias != 0 ? bias : c);
    }

    private protected abstract void Queue<TA, TB>(GpuAccelerator gpu, KernelConfig config, ArrayView<float> a, TA aOp,
        ArrayView<float> b, TB bOp, ArrayView<float> c, StridedMatrix cLayout, GemmShape shape, ArrayView<float> bias)
        where TA : struct, IGemmOperand where TB : struct, IGemmOperand;

    private static string KernelName<TA, TB>(string algorithm) => $"{algorithm}<{typeof(TA).Name}, {typeof(TB).Name}>";

    private sealed class SmallGemm<TTile>() : GemmKernel($"Small<{typeof(TTile).Name}>", default(TTile).BM, default(TTile).BN,
        default(TTile).BM / 4 * (default(TTile).BN / 4), default(TTile).BK * (default(TTile).BM + default(TTile).BN), false)
        where TTile : struct, IGemmTile
    {
        private protected override void Queue<TA, TB>(GpuAccelerator gpu, KernelConfig config, ArrayView<float> a, TA aOp,
            ArrayView<float> b, TB bOp, ArrayView<float> c, StridedMatrix cLayout, GemmShape shape, ArrayView<float> bias) =>
            gpu.Kernels.Get(KernelName<TA, TB>("Gemm"), typeof(TTile),
                acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TA, TB, StridedMatrix, GemmShape, TTile>(
                    GemmKernels.Gemm<TTile, TA, TB>))(gpu.Stream, config, a, b, c, bias, aOp, bOp, cLayout, shape, default);
    }

    private sealed class LargeGemm<TTile>() : GemmKernel($"Large<{typeof(TTile).Name}>", 8 * default(TTile).ThreadsY,
        8 * default(TTile).ThreadsX, default(TTile).ThreadsX * default(TTile).ThreadsY, LargeGemmKernels.SharedFloats<TTile>(), false)
        where TTile : struct, ILargeGemmTile
    {
        private protected override void Queue<TA, TB>(GpuAccelerator gpu, KernelConfig config, ArrayView<float> a, TA aOp,
            ArrayView<float> b, TB bOp, ArrayView<float> c, StridedMatrix cLayout, GemmShape shape, ArrayView<float> bias) =>
            gpu.Kernels.Get(KernelName<TA, TB>("LargeGemm"), typeof(TTile),
                acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TA, TB, StridedMatrix, GemmShape, TTile>(
                    LargeGemmKernels.Gemm<TTile, TA, TB>))(gpu.Stream, config, a, b, c, bias, aOp, bOp, cLayout, shape, default);
    }

    private sealed class Tf32Gemm<TTile, TMma>() : GemmKernel($"Tf32<{typeof(TTile).Name}, {typeof(TMma).Name}>", 64 * default(TTile).WarpsM,
        32 * default(TTile).WarpsN, 32 * default(TTile).WarpsM * default(TTile).WarpsN, Tf32GemmKernels.SharedFloats<TTile>(), true)
        where TTile : struct, ITf32GemmTile where TMma : struct, IMmaTf32
    {
        private protected override void Queue<TA, TB>(GpuAccelerator gpu, KernelConfig config, ArrayView<float> a, TA aOp,
            ArrayView<float> b, TB bOp, ArrayView<float> c, StridedMatrix cLayout, GemmShape shape, ArrayView<float> bias) =>
            gpu.Kernels.Get(KernelName<TA, TB>($"Tf32Gemm<{typeof(TMma).Name}>"), typeof(TTile),
                acc => acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TA, TB, StridedMatrix, GemmShape, TTile, TMma>(
                    Tf32GemmKernels.Gemm<TTile, TMma, TA, TB>))(gpu.Stream, config, a, b, c, bias, aOp, bOp, cLayout, shape, default, default);
    }
}
