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

// The backend conformance suite on the managed SIMD CPU backend.
// One line per suite class; BackendSuiteGuard fails when a suite class has no line here.
public sealed class CpuAutogradTests : AutogradTests<CpuBackendFactory>;
public sealed class CpuBinaryOpTests : BinaryOpTests<CpuBackendFactory>;
public sealed class CpuUnaryOpTests : UnaryOpTests<CpuBackendFactory>;
public sealed class CpuMomentUpdateTests : MomentUpdateTests<CpuBackendFactory>;
public sealed class CpuRfft2Tests : Rfft2Tests<CpuBackendFactory>;
public sealed class CpuIrfft2Tests : Irfft2Tests<CpuBackendFactory>;
public sealed class CpuConvTests : ConvTests<CpuBackendFactory>;
public sealed class CpuConvActivationTests : ConvActivationTests<CpuBackendFactory>;
public sealed class CpuConvTransposeTests : ConvTransposeTests<CpuBackendFactory>;
public sealed class CpuGemmTests : GemmTests<CpuBackendFactory>;
public sealed class CpuMatMulTests : MatMulTests<CpuBackendFactory>;
public sealed class CpuJoinGatherTests : JoinGatherTests<CpuBackendFactory>;
public sealed class CpuPadExpandTests : PadExpandTests<CpuBackendFactory>;
public sealed class CpuSqueezeTests : SqueezeTests<CpuBackendFactory>;
public sealed class CpuTransposeSliceTests : TransposeSliceTests<CpuBackendFactory>;
public sealed class CpuAffineWarpTests : AffineWarpTests<CpuBackendFactory>;
public sealed class CpuNormTests : NormTests<CpuBackendFactory>;
public sealed class CpuOnnxConformanceTests : OnnxConformanceTests<CpuBackendFactory>;
public sealed class CpuParallelPathTests : ParallelPathTests<CpuBackendFactory>;
public sealed class CpuResizeTests : ResizeTests<CpuBackendFactory>;
public sealed class CpuPoolTests : PoolTests<CpuBackendFactory>;
public sealed class CpuReduceTests : ReduceTests<CpuBackendFactory>;
public sealed class CpuHostileGeometryTests : HostileGeometryTests<CpuBackendFactory>;
public sealed class CpuFusedDefaultsTests : FusedDefaultsTests<CpuBackendFactory>;
public sealed class CpuDiscreteOpsTests : DiscreteOpsTests<CpuBackendFactory>;
public sealed class CpuAsyncRulesTests : AsyncRulesTests<CpuBackendFactory>;
