namespace FeatureViz.Backends;

/// <summary>The requested device does not exist on this machine; the message lists the devices found.</summary>
public sealed class DeviceNotFoundException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="requested"/>, listing <paramref name="found"/>.</summary>
    public DeviceNotFoundException(DeviceSpec requested, IReadOnlyList<DeviceDescription> found)
        : base($"device {requested} is not available: {Describe(requested, found)}; devices found: {string.Join(", ", found)}.")
    {
        Requested = requested;
        Found = found;
    }

    /// <summary>The device asked for.</summary>
    public DeviceSpec Requested { get; }

    /// <summary>Every device found (the CPU backend and ILGPU's CPU accelerator are always there).</summary>
    public IReadOnlyList<DeviceDescription> Found { get; }

    private static string Describe(DeviceSpec requested, IReadOnlyList<DeviceDescription> found)
    {
        int count = found.Count(d => d.Spec.Kind == requested.Kind);
        string kind = requested.Kind == DeviceKind.Cuda ? "CUDA" : "OpenCL";
        return count == 0 ? $"no {kind} device was found" : $"there are {count} {kind} device(s), numbered 0 to {count - 1}";
    }
}
