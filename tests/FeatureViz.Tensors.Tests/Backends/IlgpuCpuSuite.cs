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


// The backend conformance suite on the ILGPU backend, on ILGPU's CPU accelerator (warp size 32).
// One line per suite class; a class that cannot run yet is listed in IlgpuCpuSuiteGaps with its reason instead.
public sealed class IlgpuCpuAutogradTests : AutogradTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuBinaryOpTests : BinaryOpTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuUnaryOpTests : UnaryOpTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuMomentUpdateTests : MomentUpdateTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuConvTests : ConvTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuConvActivationTests : ConvActivationTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuConvTransposeTests : ConvTransposeTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuGemmTests : GemmTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuMatMulTests : MatMulTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuJoinGatherTests : JoinGatherTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuPadExpandTests : PadExpandTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuSqueezeTests : SqueezeTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuTransposeSliceTests : TransposeSliceTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuAffineWarpTests : AffineWarpTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuNormTests : NormTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuOnnxConformanceTests : OnnxConformanceTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuParallelPathTests : ParallelPathTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuResizeTests : ResizeTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuPoolTests : PoolTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuReduceTests : ReduceTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuHostileGeometryTests : HostileGeometryTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuFusedDefaultsTests : FusedDefaultsTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuDiscreteOpsTests : DiscreteOpsTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuAsyncRulesTests : AsyncRulesTests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuRfft2Tests : Rfft2Tests<IlgpuCpuBackendFactory>;
public sealed class IlgpuCpuIrfft2Tests : Irfft2Tests<IlgpuCpuBackendFactory>;
