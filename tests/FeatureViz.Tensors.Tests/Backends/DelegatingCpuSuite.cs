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

// The whole suite on the CPU backend behind a DelegatingBackend: what an added backend inherits.
// One line per suite class; BackendSuiteGuard fails when a suite class has no line here.
public sealed class DelegatingCpuAutogradTests : AutogradTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuBinaryOpTests : BinaryOpTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuUnaryOpTests : UnaryOpTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuMomentUpdateTests : MomentUpdateTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuRfft2Tests : Rfft2Tests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuIrfft2Tests : Irfft2Tests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuConvTests : ConvTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuConvActivationTests : ConvActivationTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuConvTransposeTests : ConvTransposeTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuGemmTests : GemmTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuMatMulTests : MatMulTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuJoinGatherTests : JoinGatherTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuPadExpandTests : PadExpandTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuSqueezeTests : SqueezeTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuTransposeSliceTests : TransposeSliceTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuAffineWarpTests : AffineWarpTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuNormTests : NormTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuOnnxConformanceTests : OnnxConformanceTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuParallelPathTests : ParallelPathTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuResizeTests : ResizeTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuPoolTests : PoolTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuReduceTests : ReduceTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuHostileGeometryTests : HostileGeometryTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuFusedDefaultsTests : FusedDefaultsTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuDiscreteOpsTests : DiscreteOpsTests<DelegatingCpuBackendFactory>;
public sealed class DelegatingCpuAsyncRulesTests : AsyncRulesTests<DelegatingCpuBackendFactory>;
