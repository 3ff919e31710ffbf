using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace FeatureViz.Kernels.Gpu;

/// <summary>
/// One ILGPU accelerator with everything the GPU kernels need: its context (with ILGPU.Algorithms enabled), a stream,
/// the process-wide kernel cache and the launch policy. Create one per device and keep it for the process.
/// </summary>
public sealed class GpuAccelerator : IDisposable
{
    private readonly Context context;

    private GpuAccelerator(Context context, Accelerator accelerator, GpuDeviceInfo info, LaunchPolicy policy)
    {
        this.context = context;
        Accelerator = accelerator;
        Info = info;
        Policy = policy;
        Stream = accelerator.DefaultStream;
        Kernels = new KernelCache(accelerator);
    }

    /// <summary>The ILGPU accelerator.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The device's description.</summary>
    public GpuDeviceInfo Info { get; }

    /// <summary>The stream every launch goes to.</summary>
    public AcceleratorStream Stream { get; }

    /// <summary>The kernels loaded on this accelerator.</summary>
    public KernelCache Kernels { get; }

    /// <summary>Group size and group count bound of grid-stride launches.</summary>
    public LaunchPolicy Policy { get; }

    /// <summary>Lists the CUDA and OpenCL devices ILGPU can use on this machine (empty when there are none).</summary>
    public static IReadOnlyList<GpuDeviceInfo> ListDevices()
    {
        using var context = CreateGpuContext();
        var list = new List<GpuDeviceInfo>();
        int cuda = 0, cl = 0;
        foreach (var device in context)
        {
            if (device.AcceleratorType == AcceleratorType.Cuda)
                list.Add(Describe(device, GpuDeviceKind.Cuda, cuda++));
            else if (device.AcceleratorType == AcceleratorType.OpenCL)
                list.Add(Describe(device, GpuDeviceKind.OpenCL, cl++));
        }
        return list;
    }

    /// <summary>Opens device <paramref name="index"/> of <paramref name="kind"/> (CUDA or OpenCL).</summary>
    /// <exception cref="ArgumentException">There is no such device; the message lists the devices found.</exception>
    public static GpuAccelerator Create(GpuDeviceKind kind, int index = 0)
    {
        if (kind == GpuDeviceKind.IlgpuCpu) return CreateCpu(new CpuSimulatorOptions());
        var context = CreateGpuContext();
        try
        {
            var type = kind == GpuDeviceKind.Cuda ? AcceleratorType.Cuda : AcceleratorType.OpenCL;
            var devices = context.Devices.Where(d => d.AcceleratorType == type).ToList();
            if (index < 0 || index >= devices.Count)
            {
                var found = ListDevices();
                throw new ArgumentException(
                    $"No {kind} device {index}; devices found: {(found.Count == 0 ? "none" : string.Join(", ", found))}.",
                    nameof(index));
            }
            var device = devices[index];
            var accelerator = device.CreateAccelerator(context);
            // A few groups per multiprocessor is enough for the grid-stride kernels to fill the device.
            var policy = new LaunchPolicy(Math.Min(256, accelerator.MaxNumThreadsPerGroup), accelerator.NumMultiprocessors * 4);
            return new GpuAccelerator(context, accelerator, Describe(device, kind, index), policy);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Opens ILGPU's CPU accelerator shaped by <paramref name="options"/> (Parallel mode).</summary>
    public static GpuAccelerator CreateCpu(CpuSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = new CPUDevice(options.WarpSize, options.WarpsPerGroup, 1);
        var context = Context.Create(b => b.CPU(device).EnableAlgorithms());
        try
        {
            var accelerator = context.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel);
            var info = new GpuDeviceInfo(GpuDeviceKind.IlgpuCpu, 0, accelerator.Name, accelerator.MemorySize,
                accelerator.WarpSize, accelerator.MaxNumThreadsPerGroup, accelerator.NumMultiprocessors);
            var policy = new LaunchPolicy(accelerator.MaxNumThreadsPerGroup, options.MaxGroups);
            return new GpuAccelerator(context, accelerator, info, policy);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Waits for every launched kernel to finish.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <inheritdoc />
    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }

    private static Context CreateGpuContext() => Context.Create(b => b.Cuda().OpenCL().EnableAlgorithms());

    private static GpuDeviceInfo Describe(Device device, GpuDeviceKind kind, int index) =>
        new(kind, index, device.Name, device.MemorySize, device.WarpSize, device.MaxNumThreadsPerGroup,
            device.NumMultiprocessors);
}
