using System.Globalization;

namespace FeatureViz.Backends;

/// <summary>
/// A device as the <c>--device</c> option spells it: <c>auto</c>, <c>cpu</c>, <c>cuda[:N]</c>, <c>opencl[:N]</c> or
/// <c>ilgpu-cpu</c>. <see cref="FeatureVizBackends.Create"/> opens it.
/// </summary>
/// <param name="Kind">The kind of device.</param>
/// <param name="Index">The device's index among those of its kind (CUDA and OpenCL only; 0 when not given).</param>
public sealed record DeviceSpec(DeviceKind Kind, int Index = 0)
{
    /// <summary>The accepted spellings, for messages.</summary>
    public const string Syntax = "auto, cpu, cuda[:N], opencl[:N] or ilgpu-cpu";

    /// <summary>The first working GPU, else the CPU.</summary>
    public static DeviceSpec Auto { get; } = new(DeviceKind.Auto);

    /// <summary>The CPU backend.</summary>
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>The GPU kernels on ILGPU's CPU accelerator.</summary>
    public static DeviceSpec IlgpuCpu { get; } = new(DeviceKind.IlgpuCpu);

    /// <summary>Parses a device spelling (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="FormatException">The text is none of <see cref="Syntax"/>; the message quotes it.</exception>
    public static DeviceSpec Parse(string text) =>
        TryParse(text, out var spec) ? spec : throw new FormatException($"unknown device '{text}': expected {Syntax}.");

    /// <summary>Parses a device spelling; false when it is none of <see cref="Syntax"/>.</summary>
    public static bool TryParse(string? text, out DeviceSpec spec)
    {
        spec = Cpu;
        if (text is null) return false;
        string t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "auto": spec = Auto; return true;
            case "cpu": spec = Cpu; return true;
            case "ilgpu-cpu": spec = IlgpuCpu; return true;
        }
        int colon = t.IndexOf(':');
        string name = colon < 0 ? t : t[..colon];
        var kind = name switch { "cuda" => DeviceKind.Cuda, "opencl" => DeviceKind.OpenCL, _ => (DeviceKind?)null };
        if (kind is null) return false;
        int index = 0;
        if (colon >= 0 && !int.TryParse(t[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out index)) return false;
        spec = new DeviceSpec(kind.Value, index);
        return true;
    }

    /// <summary>The <c>--device</c> spelling: <c>cuda:0</c>, <c>cpu</c>, ...</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => $"cuda:{Index}",
        DeviceKind.OpenCL => $"opencl:{Index}",
        _ => "ilgpu-cpu",
    };
}
