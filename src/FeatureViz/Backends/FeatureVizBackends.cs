using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Backends;

/// <summary>
/// The composition root that chooses the backend: the one place above the ONNX importer (which depends on no
/// particular backend) where the CPU backend is named. Applications call <see cref="RegisterDefault"/> once (the
/// command-line tool does) or pass <see cref="Cpu"/> (or another backend) to <c>OnnxLoadOptions.Backend</c>.
/// </summary>
public static class FeatureVizBackends
{
    /// <summary>The CPU backend: the shared instance using every processor, or a new one limited to <paramref name="threads"/>.</summary>
    public static IBackend Cpu(int? threads = null) => threads is null ? CpuBackend.Default : new CpuBackend(threads);

    /// <summary>Registers the shared CPU backend as <see cref="DefaultBackend"/> unless a default is already registered.</summary>
    public static void RegisterDefault()
    {
        if (!DefaultBackend.IsRegistered) DefaultBackend.Register(() => CpuBackend.Default);
    }
}
