using System.Reflection;
using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Fft;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;

namespace FeatureViz.Gpu.Tests.Fft;

/// <summary>The FFT kernels are all in the offline-compilation catalog, and their butterflies stay in registers.</summary>
public sealed class FftKernelCatalogTests
{
    [Fact]
    public void EveryFftKernelIsInTheCatalog()
    {
        var catalog = KernelCatalog.All().Select(k => k.Method).ToHashSet();
        var kernels = new[] { typeof(StockhamKernels), typeof(BluesteinKernels), typeof(RealFft2Kernels) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(void) && !m.Name.StartsWith("Butterfly", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(16, kernels.Count);
        foreach (var kernel in kernels) Assert.Contains(kernel, catalog);
    }

    [Theory]
    [InlineData("FftRadix8")]
    [InlineData("FftRadix7")]
    [InlineData("FftSharedFft")]
    public void ButterfliesUseNoLocalMemory(string name)
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, null);
        var method = KernelCatalog.All().Single(k => k.Name == name).Method;
        var ptx = ((PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), default)).PTXAssembly;
        Assert.DoesNotContain(".local", ptx);
    }
}
