namespace FeatureViz.Cli.Bench;

/// <summary>
/// The one place <c>bench</c> reads <c>--device</c>. Only the CPU exists for now; when the shared device option
/// (parsing and backend selection for every command) lands, this forwards to it.
/// </summary>
internal static class BenchDevice
{
    /// <summary>The device name, lower case; anything but "cpu" is a usage error naming --device.</summary>
    public static string Read(string? text)
    {
        string device = (text ?? "cpu").Trim().ToLowerInvariant();
        if (device != "cpu")
            throw new UsageException($"--device: '{device}' is not available: this version computes on the CPU only (use --device cpu). A GPU backend is planned.");
        return device;
    }
}
