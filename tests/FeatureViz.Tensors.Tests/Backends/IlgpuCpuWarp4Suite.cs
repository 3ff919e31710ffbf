using FeatureViz.Tensors.Tests.Autograd;
using FeatureViz.Tensors.Tests.Elementwise;
using FeatureViz.Tensors.Tests.Fft;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.Tensors.Tests.Movement;
using FeatureViz.Tensors.Tests.Nn;
using FeatureViz.Tensors.Tests.Pool;
using FeatureViz.Tensors.Tests.Reduce;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Backends;

// The subset of the conformance suite on ILGPU's CPU accelerator with warp size 4 and eight warps per group (more
// warps than lanes, three groups): the classes whose kernels use warps and groups. BackendSuiteGaps.Warp4Runs lists them;
// the guard reports every other class as a known gap of this factory.
public sealed class IlgpuCpuWarp4ReduceTests : ReduceTests<IlgpuCpuWarp4BackendFactory>;
public sealed class IlgpuCpuWarp4GemmTests : GemmTests<IlgpuCpuWarp4BackendFactory>;
public sealed class IlgpuCpuWarp4ConvTests : ConvTests<IlgpuCpuWarp4BackendFactory>;
public sealed class IlgpuCpuWarp4PoolTests : PoolTests<IlgpuCpuWarp4BackendFactory>;
public sealed class IlgpuCpuWarp4DiscreteOpsTests : DiscreteOpsTests<IlgpuCpuWarp4BackendFactory>;
