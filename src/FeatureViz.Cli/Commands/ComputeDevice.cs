using FeatureViz.Backends;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// The device a command computes on, opened from <c>--device</c>, with the <c>--fallback cpu</c> policy: when the
/// device runs out of memory, the work is retried on the CPU (<see cref="Run{T}"/>, or
/// <see cref="CanFallBack"/>/<see cref="FallBack"/> for callers that rebuild their own state).
/// </summary>
internal sealed class ComputeDevice : IDisposable
{
    private readonly TextWriter _err;
    private readonly Func<DeviceSpec, BackendOptions, DeviceBackend> _open;
    private readonly DeviceRequest _request;
    private DeviceBackend _current;

    private ComputeDevice(TextWriter err, Func<DeviceSpec, BackendOptions, DeviceBackend> open, DeviceRequest request, DeviceBackend current)
    {
        _err = err;
        _open = open;
        _request = request;
        _current = current;
    }

    /// <summary>Opens the requested device and names it on stderr; an absent device is a <see cref="UsageException"/>.</summary>
    public static ComputeDevice Open(DeviceRequest request, CliContext context) => Open(request, context.Err, context.OpenBackend);

    /// <summary>Opens the requested device with <paramref name="open"/>, naming it on <paramref name="err"/>.</summary>
    public static ComputeDevice Open(DeviceRequest request, TextWriter err, Func<DeviceSpec, BackendOptions, DeviceBackend> open)
    {
        DeviceBackend opened;
        try
        {
            opened = open(request.Spec, new BackendOptions { Threads = request.Threads });
        }
        catch (DeviceNotFoundException e)
        {
            throw new UsageException($"--device: {e.Message}");
        }
        var device = new ComputeDevice(err, open, request, opened);
        if (request.Announce || opened.Notes.Count > 0) device.Announce();
        return device;
    }

    /// <summary>The CPU with <paramref name="threads"/> threads, announced nowhere (tests and tools).</summary>
    public static ComputeDevice Cpu(int? threads = null) =>
        Open(new DeviceRequest(DeviceSpec.Cpu, threads, FallbackToCpu: false, Announce: false), TextWriter.Null, FeatureVizBackends.Create);

    /// <summary>The backend to load models on.</summary>
    public IBackend Backend => _current.Backend;

    /// <summary>True with <c>--fallback cpu</c>.</summary>
    public bool FallbackToCpu => _request.FallbackToCpu;

    /// <summary>The device in use (after a fallback: the CPU).</summary>
    public DeviceDescription Description => _current.Device;

    /// <summary>True when <paramref name="e"/> is the device running out of memory and <c>--fallback cpu</c> allows a retry on the CPU.</summary>
    public bool CanFallBack(Exception e) =>
        _request.FallbackToCpu && Description.Spec.Kind != DeviceKind.Cpu && OutOfMemory(e) is not null;

    /// <summary>
    /// Replaces the device by the CPU after <paramref name="e"/> (call it from a catch block, once everything that used
    /// the device is disposed), saying so on stderr.
    /// </summary>
    public void FallBack(Exception e)
    {
        var failed = _current;
        _err.WriteLine($"warning: {failed.Device.Spec} ran out of memory ({CliErrors.OneLine(OutOfMemory(e) ?? e)}); retrying on the CPU (--fallback cpu).");
        Release(failed);
        _current = _open(DeviceSpec.Cpu, new BackendOptions { Threads = _request.Threads });
        Announce();
    }

    /// <summary>Runs <paramref name="body"/> on the device, and once more on the CPU when it runs out of device memory and fallback is allowed.</summary>
    public T Run<T>(Func<IBackend, T> body)
    {
        try
        {
            return body(Backend);
        }
        catch (Exception e) when (CanFallBack(e))
        {
            FallBack(e);
            return body(Backend);
        }
    }

    /// <summary>The device-out-of-memory error in <paramref name="e"/>'s chain (the importer wraps node failures), or null.</summary>
    public static GpuOutOfMemoryException? OutOfMemory(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is GpuOutOfMemoryException oom) return oom;
        return null;
    }

    /// <inheritdoc/>
    public void Dispose() => Release(_current);

    private void Announce()
    {
        foreach (var note in _current.Notes) _err.WriteLine($"note: {note}");
        _err.WriteLine($"device: {_current.Device}");
    }

    private void Release(DeviceBackend device)
    {
        try
        {
            device.Dispose();
        }
        catch (Exception e)
        {
            // A device that failed (lost, or its driver in an error state) may also fail to release; the run's own
            // error, already reported, is what matters.
            _err.WriteLine($"warning: releasing {device.Device.Spec} failed: {CliErrors.OneLine(e)}");
        }
    }
}
