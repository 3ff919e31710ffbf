namespace FeatureViz.Kernels.Gpu.Backend;

/// <summary>Options of an <see cref="IlgpuBackend"/>.</summary>
/// <param name="AllowTf32">
/// Run matrix products and convolutions on the tensor cores in TF32 (10-bit mantissa operands, FP32 accumulation) on
/// CUDA devices: off by default. Each result element is then within
/// <see cref="Gemm.Tf32.ErrorBound"/>(K) * sum_k |a_ik||b_kj| of the exact product (about 1e-3 relative to that
/// sum, against about 1e-7 * K for FP32), which is fine for feature visualization but not for checks at 1e-4.
/// </param>
/// <param name="CacheCapacityBytes">Most freed device memory kept for reuse.</param>
public sealed record IlgpuBackendOptions(bool AllowTf32 = false, long CacheCapacityBytes = 1L << 30);
