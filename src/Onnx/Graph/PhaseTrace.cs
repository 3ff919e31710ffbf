using System.Diagnostics;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Profiler-free timing of model loading and execution, on when the environment variable FEATUREVIZ_TRACE is 1:
/// one line per phase and per executed node on stderr with its wall and process CPU milliseconds (CPU time survives
/// a loaded machine better than wall time) and the time since the process started (runtime start-up and
/// command-line parsing show as the gap before the first line).
/// </summary>
internal static class PhaseTrace
{
    /// <summary>True when FEATUREVIZ_TRACE=1.</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("FEATUREVIZ_TRACE") == "1";

    private static readonly DateTime ProcessStart = Enabled ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

    /// <summary>Where a traced phase started (zero when tracing is off).</summary>
    public readonly record struct Mark(long Timestamp, TimeSpan Cpu);

    /// <summary>The start of a phase.</summary>
    public static Mark Start() => Enabled ? new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime) : default;

    /// <summary>Writes one line for the phase <paramref name="what"/> begun at <paramref name="start"/> when tracing.</summary>
    public static void End(Mark start, string what)
    {
        if (!Enabled) return;
        double ms = Stopwatch.GetElapsedTime(start.Timestamp).TotalMilliseconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - start.Cpu).TotalMilliseconds;
        double since = (DateTime.UtcNow - ProcessStart).TotalMilliseconds;
        Console.Error.WriteLine($"[trace] {since,9:0.0} ms  {ms,8:0.00} ms  cpu {cpu,8:0.0} ms  {what}");
    }
}
