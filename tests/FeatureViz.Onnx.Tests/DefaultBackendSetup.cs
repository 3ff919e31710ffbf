using System.Runtime.CompilerServices;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Tests;

/// <summary>The tests choose the backend: models loaded without one run on the shared CPU backend.</summary>
internal static class DefaultBackendSetup
{
    [ModuleInitializer]
    internal static void Register() => DefaultBackend.Register(() => CpuBackend.Default);
}
