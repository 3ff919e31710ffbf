namespace FeatureViz.Cli.Bench;

/// <summary>One measured pass, per image: its times, and the arithmetic rate its FLOPs give at the median time.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="PerImage">Times per image (the batch's times divided by the batch size).</param>
/// <param name="FlopsPerImage">The convolution and matrix-product FLOPs one image needs in this pass.</param>
/// <param name="Gflops">FlopsPerImage / median time.</param>
/// <param name="PercentOfPeak">Gflops as a percentage of the FMA peak measured in the same run.</param>
internal sealed record BenchPass(string Name, TimingStats PerImage, double FlopsPerImage, double Gflops, double PercentOfPeak);

/// <summary>What <c>featureviz bench</c> measured.</summary>
internal sealed record BenchReport
{
    public required string Model { get; init; }
    public required string Layer { get; init; }
    public required int[] ModelInput { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Batch { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    public required int Warmup { get; init; }
    public required int Repeat { get; init; }

    /// <summary>The register-only FMA loop, GFLOP/s on <see cref="Threads"/> threads, measured before and after the passes.</summary>
    public required double[] PeakGflopsRuns { get; init; }

    /// <summary>The higher of <see cref="PeakGflopsRuns"/>: the peak the percentages divide by.</summary>
    public double PeakGflops => PeakGflopsRuns.Max();

    /// <summary>Convolution and matrix-product nodes the forward pass runs.</summary>
    public required int ComputeNodes { get; init; }

    /// <summary>Forward, forward + input gradient, full optimization step.</summary>
    public required IReadOnlyList<BenchPass> Passes { get; init; }

    /// <summary>GC-allocated bytes (all threads) per optimization step, averaged over the timed steps.</summary>
    public required long AllocatedBytesPerStep { get; init; }

    /// <summary>With --profile: the per-op times of the profiled passes (null without).</summary>
    public BenchProfile? Profile { get; init; }
}
