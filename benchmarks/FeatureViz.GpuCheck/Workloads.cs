namespace FeatureViz.GpuCheck;

/// <summary>
/// The sizes of one run: the (ResNet18 at 224, SGEMM 4096, FFT 224 and 512, steps at 224 and 512, batches 1,
/// 16, 64) or the smoke run's tiny ones with the same structure. torch_baseline.py uses the same numbers (its
/// --smoke mirrors <see cref="Smoke"/>).
/// </summary>
/// <param name="Network">The ResNet18 built when no --model is given (and whose convolutions are timed).</param>
/// <param name="SgemmSize">Side of the square SGEMM.</param>
/// <param name="ModelBatches">Batches of the ResNet18 forward + input gradient.</param>
/// <param name="FftSizes">Sides of the real 2-D FFT round trips (batch 3: one RGB image).</param>
/// <param name="StepSizes">Image sides of the optimization step.</param>
/// <param name="StepBatches">Batches of the optimization step.</param>
/// <param name="RenderSteps">Steps of the end-to-end render (at the model's input size, batch 1).</param>
/// <param name="MaxReps">Most timed repetitions per workload.</param>
/// <param name="CheckScale">Divisor of the correctness checks' sizes relative to the ResNet18 shapes.</param>
/// <param name="StepBlock">Steps per timed block of the optimization step (the loop reads the losses once a block).</param>
/// <param name="Reduced">
/// The smoke run: one shape per elementwise op family instead of every op struct, and one convolution of each
/// kind (kernel, stride) instead of every distinct one. Every IBackend method is still checked and every section runs.
/// </param>
public sealed record Workloads(ResNet18Onnx Network, int SgemmSize, int[] ModelBatches, int[] FftSizes, int[] StepSizes,
    int[] StepBatches, int RenderSteps, int MaxReps, int CheckScale, int StepBlock, bool Reduced)
{
    /// <summary>The sizes.</summary>
    public static Workloads Full { get; } = new(new ResNet18Onnx(64, 224, 1000), 4096, [1, 16, 64], [224, 512],
        [224, 512], [1, 8], 512, 50, 1, 8, false);

    /// <summary>Tiny sizes with the same structure (seconds on ILGPU's CPU accelerator).</summary>
    public static Workloads Smoke { get; } = new(new ResNet18Onnx(4, 32, 10), 48, [1], [12, 16],
        [32], [1], 1, 1, 16, 1, true);

    /// <summary>The sizes for <paramref name="smoke"/>.</summary>
    public static Workloads For(bool smoke) => smoke ? Smoke : Full;

    /// <summary>The convolutions checked and timed: every distinct one, or (reduced) the first of each kernel size and stride.</summary>
    public IReadOnlyList<ConvSpec> Convolutions => Reduced
        ? Network.DistinctConvolutions().DistinctBy(c => (c.K, c.Stride)).ToList()
        : Network.DistinctConvolutions();
}
