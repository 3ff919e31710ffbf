using BenchmarkDotNet.Running;

namespace FeatureViz.Benchmarks;

/// <summary>
/// Entry point: every benchmark class in this assembly is selectable (e.g. <c>--filter *Sgemm*</c>). Thread count:
/// environment variable FEATUREVIZ_THREADS (default: all processors). <c>--engine-quick</c> runs the engine's
/// CPU-time-aware quick measurement instead of BenchmarkDotNet; <c>--winograd-quick</c> compares the 3x3 convolution
/// paths side by side; <c>--compare-ort</c> the per-model comparison with ONNX Runtime through the featureviz tool
/// (scripts/compare-ort.sh).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--engine-quick")
        {
            Engine.QuickEngineRun.Run();
            return;
        }
        if (args.Length >= 1 && args[0] == "--winograd-quick")
        {
            Engine.WinogradQuickRun.Run(args.Length > 1 ? int.Parse(args[1]) : 7, args.Length > 2 ? [int.Parse(args[2])] : null);
            return;
        }
        if (args.Length >= 1 && args[0] == "--compare-ort")
        {
            Compare.OrtComparison.Run(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
