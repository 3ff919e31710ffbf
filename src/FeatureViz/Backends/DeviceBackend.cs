using FeatureViz.Tensors.Backends;

namespace FeatureViz.Backends;

/// <summary>
/// A backend opened on a device by <see cref="FeatureVizBackends.Create"/>, with what the device is. Pass
/// <see cref="Backend"/> to <c>OnnxLoadOptions.Backend</c>; every tensor of the model, the image parametrization, the
/// transformations, the objective and the optimizer then live on that device. Dispose it after the models that use it.
/// </summary>
public sealed class DeviceBackend : IDisposable
{
    private readonly bool _ownsBackend;

    internal DeviceBackend(IBackend backend, DeviceDescription device, bool ownsBackend, IReadOnlyList<string> notes)
    {
        Backend = backend;
        Device = device;
        _ownsBackend = ownsBackend;
        Notes = notes;
    }

    /// <summary>The backend.</summary>
    public IBackend Backend { get; }

    /// <summary>The device it runs on (name, memory).</summary>
    public DeviceDescription Device { get; }

    /// <summary>
    /// What <see cref="DeviceKind.Auto"/> passed over on its way to <see cref="Device"/> (a GPU that failed to start,
    /// with the reason); empty otherwise.
    /// </summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Releases the backend (the shared CPU backend is left alone).</summary>
    public void Dispose()
    {
        if (_ownsBackend) Backend.Dispose();
    }
}
