using FeatureViz.Onnx.Tests.Conformance;
using FeatureViz.Onnx.Tests.Models;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Backends;

// The ONNX conformance and model tests on the CPU backend. They load models with OnnxLoadOptions.Backend set to the
// factory's backend, so another backend reruns them all by adding the same lines with its factory.
public sealed class CpuNodeConformanceTests(ITestOutputHelper output) : NodeConformanceTests<CpuBackendFactory>(output);
public sealed class CpuSharedModelTests(ITestOutputHelper output) : SharedModelTests<CpuBackendFactory>(output);
public sealed class CpuResNet18Tests(ITestOutputHelper output) : ResNet18Tests<CpuBackendFactory>(output);
public sealed class CpuModelGradientTests : ModelGradientTests<CpuBackendFactory>;
public sealed class CpuConvFusionTests(ITestOutputHelper output) : ConvFusionTests<CpuBackendFactory>(output);
