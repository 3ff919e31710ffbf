using System.Reflection;
using FeatureViz.Kernels.Gpu.Conv;
using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Kernels.Gpu.Fft;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Kernels.Gpu.Movement;
using FeatureViz.Kernels.Gpu.Pool;
using FeatureViz.Kernels.Gpu.Reductions;
using FeatureViz.Kernels.Gpu.Sampling;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Kernels.Gpu;

/// <summary>
/// Every GPU kernel entry point as a closed method, generic kernels instantiated with every op struct (and every tile
/// configuration) they are launched with: the list the offline PTX/OpenCL compilation checks walk.
/// </summary>
internal static class KernelCatalog
{
    /// <summary>All kernels, each with a readable name and whether the OpenCL path uses it (else CUDA and the CPU accelerator only).</summary>
    public static IEnumerable<(string Name, MethodInfo Method, bool OpenCL)> All()
    {
        var unaryOps = OpStructs(typeof(IUnaryOp));
        var binaryOps = OpStructs(typeof(IBinaryOp));
        foreach (var name in new[] { nameof(ElementwiseKernels.UnaryForward), nameof(ElementwiseKernels.UnaryBackward) })
            foreach (var op in unaryOps)
                yield return Close(typeof(ElementwiseKernels), name, op);
        foreach (var name in new[] { nameof(ElementwiseKernels.BinaryForward), nameof(ElementwiseKernels.BinaryForwardSameShape), nameof(ElementwiseKernels.BinaryBackward) })
            foreach (var op in binaryOps)
                yield return Close(typeof(ElementwiseKernels), name, op);
        foreach (var op in GpuReduce.OpTypes())
        {
            yield return Close(typeof(ReduceKernels), nameof(ReduceKernels.ReduceByThread), op);
            foreach (var (mode, openCL) in GpuReduce.Modes())
            {
                var (name, method, _) = Close(typeof(ReduceKernels), nameof(ReduceKernels.ReduceByGroup), op, mode);
                yield return (name, method, openCL);
            }
        }
        Type[][] operands =
        [
            [typeof(StridedMatrix), typeof(StridedMatrix)],
            [typeof(StridedMatrix), typeof(Im2ColOperand)],
            [typeof(TransposedWeightOperand), typeof(GradientGatherOperand)],
            [typeof(GradientRowsOperand), typeof(TransposedIm2ColOperand)],
        ];
        foreach (var pair in operands)
        {
            foreach (var tile in new[] { typeof(GemmTile64), typeof(GemmTile16) })
                yield return Close(typeof(GemmKernels), nameof(GemmKernels.Gemm), tile, pair[0], pair[1]);
            foreach (var tile in new[] { typeof(GemmTile128), typeof(GemmTile32) })
                yield return Named("Large", Close(typeof(LargeGemmKernels), nameof(LargeGemmKernels.Gemm), tile, pair[0], pair[1]));
            // Tensor-core mma.sync: CUDA only (the planner never picks TF32 on OpenCL; the shuffle emulation is for the simulator).
            var (name, method, _) = Named("Tf32", Close(typeof(Tf32GemmKernels), nameof(Tf32GemmKernels.Gemm), typeof(Tf32Tile128), typeof(TensorCoreMma), pair[0], pair[1]));
            yield return (name, method, false);
        }
        yield return ("DepthwiseForward", typeof(DepthwiseKernels).GetMethod(nameof(DepthwiseKernels.Forward))!, true);
        foreach (var radix in new[] { 2, 3, 4, 5, 7, 8 })
            yield return Fft(Close(typeof(StockhamKernels), $"Radix{radix}"));
        yield return Fft(Close(typeof(StockhamKernels), nameof(StockhamKernels.SharedFft)));
        foreach (var name in new[] { nameof(BluesteinKernels.Chirp), nameof(BluesteinKernels.MultiplyConjugate), nameof(BluesteinKernels.Dechirp) })
            yield return Fft(Close(typeof(BluesteinKernels), name));
        foreach (var name in new[]
                 {
                     nameof(RealFft2Kernels.RealToComplex), nameof(RealFft2Kernels.RowsToColumns), nameof(RealFft2Kernels.ColumnsToSpectrum),
                     nameof(RealFft2Kernels.SpectrumToColumns), nameof(RealFft2Kernels.ColumnsToHermitianRows), nameof(RealFft2Kernels.RealPart),
                 })
            yield return Fft(Close(typeof(RealFft2Kernels), name));
        yield return Close(typeof(ArgReduceKernels), nameof(ArgReduceKernels.ArgReduce));
        foreach (var name in new[] { nameof(MovementKernels.Fill), nameof(MovementKernels.StridedCopy), nameof(MovementKernels.StridedScatter), nameof(MovementKernels.Where), nameof(MovementKernels.Pad) })
            yield return Close(typeof(MovementKernels), name);
        foreach (var name in new[] { nameof(PoolKernels.MaxForward), nameof(PoolKernels.MaxBackward), nameof(PoolKernels.AvgForward), nameof(PoolKernels.AvgBackward) })
            yield return Close(typeof(PoolKernels), name);
        foreach (var name in new[] { nameof(WarpKernels.Forward), nameof(WarpKernels.Backward), nameof(WarpKernels.ThetaPartials) })
        {
            var (_, method, openCL) = Close(typeof(WarpKernels), name);
            yield return ("Warp" + name, method, openCL);
        }
    }

    private static (string Name, MethodInfo Method, bool OpenCL) Fft((string Name, MethodInfo Method, bool OpenCL) kernel) =>
        Named("Fft", kernel);

    private static (string Name, MethodInfo Method, bool OpenCL) Named(string prefix, (string Name, MethodInfo Method, bool OpenCL) kernel) =>
        (prefix + kernel.Name, kernel.Method, kernel.OpenCL);

    internal static (string Name, MethodInfo Method, bool OpenCL) Close(Type host, string name, params Type[] typeArguments)
    {
        var method = host.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(host.Name, name);
        if (typeArguments.Length == 0) return (name, method, true);
        return ($"{name}<{string.Join(", ", typeArguments.Select(t => t.Name))}>", method.MakeGenericMethod(typeArguments), true);
    }

    /// <summary>The public op structs of the tensor library implementing <paramref name="contract"/>.</summary>
    internal static IReadOnlyList<Type> OpStructs(Type contract) =>
        contract.Assembly.GetTypes()
            .Where(t => t.IsValueType && t.IsPublic && contract.IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
}
