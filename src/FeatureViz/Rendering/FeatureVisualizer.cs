using System.Diagnostics;
using FeatureViz.Objectives;

namespace FeatureViz.Rendering;

/// <summary>Feature visualization by optimization (Xplique's <c>optimize</c>).</summary>
public static class FeatureVisualizer
{
    /// <summary>
    /// Optimizes one image per combination of the objective's variants so that the objective's score, minus the
    /// regularizers, is maximal. Arguments are validated before any step runs (<see cref="ArgumentException"/>).
    /// Cancelling returns the images so far (<see cref="OptimizationResult.Cancelled"/>); a NaN/infinite loss throws
    /// <see cref="OptimizationDivergedException"/> carrying the last finite images.
    /// </summary>
    /// <remarks>
    /// Per step: parameters -> image (Fourier or pixels, colour recorrelation for 3 channels, normaliser into
    /// <see cref="OptimizationOptions.ValuesRange"/>) -> transformations -> bilinear resize to the model input -> model
    /// -> score - penalties (penalties see the model input) -> gradient ascent. Unlike Xplique, returned images are not
    /// min-max stretched per image, pixel parameters start at N(0, std) (Xplique: mean std, deviation 1), and
    /// non-square sizes work.
    /// </remarks>
    public static OptimizationResult Optimize(Objective objective, OptimizationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new OptimizationOptions();
        using var session = new OptimizationSession(objective, options);
        var snapshots = new List<ImageBatch>();
        var clock = Stopwatch.StartNew();
        int total = options.WarmupSteps + options.Steps;
        int completed = 0;
        for (int step = 1; step <= total; step++)
        {
            bool warmup = step <= options.WarmupSteps;
            if (cancellationToken.IsCancellationRequested)
            {
                snapshots.Add(session.Snapshot(completed));
                return new OptimizationResult(snapshots, session.Names, completed, cancelled: true);
            }
            float loss = session.Step(warmup);
            if (!float.IsFinite(loss))
            {
                snapshots.Add(session.LastFiniteSnapshot(completed));
                throw new OptimizationDivergedException(step, session.ObjectiveName, loss, new OptimizationResult(snapshots, session.Names, completed, cancelled: false));
            }
            if (!warmup) completed++;
            options.Progress?.Report(new OptimizationProgress(step, total, loss, clock.Elapsed, warmup));
            if (!warmup && (completed == options.Steps || (options.SaveEvery is int k && completed % k == 0)))
                snapshots.Add(session.Snapshot(completed));
        }
        return new OptimizationResult(snapshots, session.Names, completed, cancelled: false);
    }
}
