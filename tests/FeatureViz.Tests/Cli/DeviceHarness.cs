using FeatureViz.Backends;
using FeatureViz.Cli;
using FeatureViz.Cli.Render;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Runs the CLI in-process with the real render engine and a chosen way of opening devices: the shared ILGPU
/// simulator backend (its kernels compiled once per test process instead of once per command), or a wrapped backend
/// that injects device faults.
/// </summary>
internal static class DeviceHarness
{
    /// <summary>Opens ilgpu-cpu as the test process's shared simulator backend, everything else as the CLI does.</summary>
    public static DeviceBackend OpenSharingTheSimulator(DeviceSpec spec, BackendOptions options) =>
        spec.Kind == DeviceKind.IlgpuCpu
            ? Wrap(IlgpuCpuBackendFactory.Backend, DeviceSpec.IlgpuCpu, "shared ILGPU CPU accelerator", 1L << 30)
            : FeatureVizBackends.Create(spec, options);

    /// <summary>A device made of <paramref name="backend"/> (not disposed with it), described as <paramref name="spec"/>.</summary>
    public static DeviceBackend Wrap(IBackend backend, DeviceSpec spec, string name, long memoryBytes, bool owns = false) =>
        new(backend, new DeviceDescription(spec, name, memoryBytes), owns, []);

    public static async Task<(int Code, string Out, string Err)> Run(Func<DeviceSpec, BackendOptions, DeviceBackend> open, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var context = new CliContext(o, e, false, (path, device, range) => new LibraryRenderEngine(path, device, range)) { OpenBackend = open };
        int code = await FeatureViz.Cli.Cli.RunAsync(args, context, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>max|actual - expected| / max|expected| (the ONNX model tests' measure).</summary>
    public static double RelativeMaxError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(actual[i])) return double.PositiveInfinity;
            diff = Math.Max(diff, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
