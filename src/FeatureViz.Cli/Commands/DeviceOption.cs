using System.CommandLine;
using FeatureViz.Backends;
using FeatureViz.Cli.Render;
using FeatureViz.Onnx;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// The device options of every command that computes (<c>--device</c>, <c>--fallback</c>, <c>--threads</c>): one
/// place for the options, their validation and opening the device. A command adds them with
/// <c>var device = DeviceOption.AddTo(command);</c> and opens the device in its action with
/// <c>using var compute = device.Open(parse, context);</c>.
/// </summary>
internal sealed class DeviceOption
{
    /// <summary>The device used when --device is not given.</summary>
    public const string DefaultDevice = "cpu";

    public Option<string> Device { get; } = new("--device")
    {
        Description = $"Compute device: {DeviceSpec.Syntax} (default {DefaultDevice}). auto takes the first working CUDA, else OpenCL, device, else the CPU; ilgpu-cpu runs the GPU kernels on the CPU (slow, for checking them).",
        DefaultValueFactory = _ => DefaultDevice,
        HelpName = "DEVICE",
    };

    public Option<string?> Fallback { get; } = new("--fallback")
    {
        Description = "cpu: when the device runs out of memory, retry on the CPU instead of failing.",
        HelpName = "cpu",
    };

    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads (default: all cores)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public static DeviceOption AddTo(Command command)
    {
        var options = new DeviceOption();
        command.Add(options.Device);
        command.Add(options.Fallback);
        command.Add(options.Threads);
        return options;
    }

    /// <summary>Reads and validates the values (exit 2 naming the option); opens nothing.</summary>
    public DeviceRequest Read(ParseResult parse)
    {
        string text = parse.GetValue(Device) ?? DefaultDevice;
        if (!DeviceSpec.TryParse(text, out var spec))
            throw new UsageException($"--device: unknown device '{text}': expected {DeviceSpec.Syntax}.");
        int? threads = parse.GetValue(Threads);
        if (threads is int t)
        {
            if (t < 1) throw new UsageException($"--threads: must be at least 1 (got {t}).");
            RunLimits.Bounded("--threads", t, 1, RunLimits.MaxThreads);
        }
        bool fallback = parse.GetValue(Fallback) switch
        {
            null => false,
            var f when f.Trim().Equals("cpu", StringComparison.OrdinalIgnoreCase) => true,
            var f when f.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) => false,
            var f => throw new UsageException($"--fallback: expected 'cpu' or 'none' (got '{f}')."),
        };
        // The default CPU is not announced (stderr stays for errors); a device asked for is.
        bool announce = spec.Kind != DeviceKind.Cpu || parse.GetResult(Device) is { Implicit: false };
        return new DeviceRequest(spec, threads, fallback, announce);
    }

    /// <summary>
    /// Opens the device the options name and says which on stderr (name, memory). An absent device is a usage error
    /// (exit 2) listing the devices found.
    /// </summary>
    public ComputeDevice Open(ParseResult parse, CliContext context) => ComputeDevice.Open(Read(parse), context);

    /// <summary>
    /// Checks <c>--model</c>, opens the device, loads the model on it and runs <paramref name="body"/>; with
    /// <c>--fallback cpu</c>, once more on the CPU when the device runs out of memory.
    /// </summary>
    public T RunModel<T>(ParseResult parse, CliContext context, string modelPath, Func<OnnxModel, T> body)
    {
        ModelLoading.CheckModel(modelPath);
        using var compute = Open(parse, context);
        return compute.Run(backend =>
        {
            using var model = ModelLoading.Load(modelPath, new OnnxLoadOptions { Backend = backend });
            return body(model);
        });
    }
}

/// <summary>What the device options asked for.</summary>
/// <param name="Spec">The device.</param>
/// <param name="Threads">CPU backend threads (null: all cores).</param>
/// <param name="FallbackToCpu">Retry on the CPU when the device runs out of memory.</param>
/// <param name="Announce">Name the device on stderr (not for the default CPU, unless --device was given).</param>
internal sealed record DeviceRequest(DeviceSpec Spec, int? Threads, bool FallbackToCpu, bool Announce = true);
