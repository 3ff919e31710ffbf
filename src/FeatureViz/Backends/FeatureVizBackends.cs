using FeatureViz.Kernels.Cpu;
using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Backends;

/// <summary>
/// The composition root that chooses the backend: the one place above the ONNX importer (which depends on no
/// particular backend) where the backends are named. Applications call <see cref="RegisterDefault"/> once (the
/// command-line tool does) or open a device with <see cref="Create"/> and pass its backend to
/// <c>OnnxLoadOptions.Backend</c>.
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

    /// <summary>
    /// Every device of this machine: the CPU, then the CUDA and OpenCL devices ILGPU can use, then ILGPU's CPU
    /// accelerator (always present; the GPU kernels run on it slowly, for checking them without a GPU).
    /// </summary>
    public static IReadOnlyList<DeviceDescription> ListDevices(BackendOptions? options = null) =>
        [CpuDescription(options?.Threads), .. GpuAccelerator.ListDevices().Select(DeviceDescription.Of), SimulatorDescription(options)];

    /// <summary>
    /// Opens <paramref name="spec"/>. <see cref="DeviceKind.Auto"/> takes the first CUDA device that starts and runs a
    /// kernel, else the first such OpenCL device, else the CPU (what it passed over is in
    /// <see cref="DeviceBackend.Notes"/>).
    /// </summary>
    /// <exception cref="DeviceNotFoundException">There is no such CUDA or OpenCL device; the message lists the devices found.</exception>
    /// <exception cref="InvalidOperationException">The device exists but could not be opened (the driver's reason).</exception>
    public static DeviceBackend Create(DeviceSpec spec, BackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new BackendOptions();
        switch (spec.Kind)
        {
            case DeviceKind.Cpu:
                return new DeviceBackend(Cpu(options.Threads), CpuDescription(options.Threads), ownsBackend: options.Threads is not null, []);
            case DeviceKind.IlgpuCpu:
                var simulator = new IlgpuBackend(GpuAccelerator.CreateCpu(options.Simulator), ownsAccelerator: true, options.DeviceCacheBytes);
                return new DeviceBackend(simulator, DeviceDescription.Of(simulator.Gpu.Info), ownsBackend: true, []);
            case DeviceKind.Auto:
                return CreateAuto(options);
            default:
                var gpus = GpuAccelerator.ListDevices();
                var kind = spec.Kind == DeviceKind.Cuda ? GpuDeviceKind.Cuda : GpuDeviceKind.OpenCL;
                if (spec.Index < 0 || spec.Index >= gpus.Count(d => d.Kind == kind))
                    throw new DeviceNotFoundException(spec,
                        [CpuDescription(options.Threads), .. gpus.Select(DeviceDescription.Of), SimulatorDescription(options)]);
                return OpenGpu(kind, spec.Index, options);
        }
    }

    private static DeviceBackend CreateAuto(BackendOptions options)
    {
        var notes = new List<string>();
        IReadOnlyList<GpuDeviceInfo> gpus;
        try
        {
            gpus = GpuAccelerator.ListDevices();
        }
        catch (Exception e)
        {
            notes.Add($"listing the GPUs failed: {e.Message}");
            gpus = [];
        }
        foreach (var info in gpus.Where(d => d.Kind == GpuDeviceKind.Cuda).Concat(gpus.Where(d => d.Kind == GpuDeviceKind.OpenCL)))
        {
            DeviceBackend? opened = null;
            try
            {
                opened = OpenGpu(info.Kind, info.Index, options);
                SmokeTest(opened.Backend);
                return new DeviceBackend(opened.Backend, opened.Device, ownsBackend: true, notes);
            }
            catch (Exception e)
            {
                notes.Add($"{DeviceDescription.Of(info)} does not work: {e.Message}");
                try
                {
                    opened?.Dispose();
                }
                catch (Exception)
                {
                    // A device that failed its first kernel may also fail to release; the reason is already noted.
                }
            }
        }
        return new DeviceBackend(Cpu(options.Threads), CpuDescription(options.Threads), ownsBackend: options.Threads is not null, notes);
    }

    private static DeviceBackend OpenGpu(GpuDeviceKind kind, int index, BackendOptions options)
    {
        GpuAccelerator gpu;
        try
        {
            gpu = GpuAccelerator.Create(kind, index);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new InvalidOperationException($"{(kind == GpuDeviceKind.Cuda ? "cuda" : "opencl")}:{index} could not be opened: {e.Message}", e);
        }
        var backend = new IlgpuBackend(gpu, ownsAccelerator: true, options.DeviceCacheBytes);
        return new DeviceBackend(backend, DeviceDescription.Of(gpu.Info), ownsBackend: true, []);
    }

    /// <summary>Compiles and runs one kernel and reads its result back: a device that cannot do this is not used by auto.</summary>
    private static void SmokeTest(IBackend backend)
    {
        using var s = backend.Fill(4, 2.5f);
        Span<float> host = stackalloc float[4];
        backend.Download(s, host);
        foreach (float v in host)
            if (v != 2.5f) throw new InvalidOperationException($"a test kernel wrote {v} where 2.5 was expected.");
    }

    private static DeviceDescription CpuDescription(int? threads) =>
        new(DeviceSpec.Cpu, $"CPU, {threads ?? Environment.ProcessorCount} thread(s)", DeviceDescription.HostMemory());

    private static DeviceDescription SimulatorDescription(BackendOptions? options) =>
        new(DeviceSpec.IlgpuCpu, DeviceDescription.SimulatorName((options?.Simulator ?? new()).WarpSize), DeviceDescription.HostMemory());
}
