using System.Diagnostics;
using FeatureViz.Objectives;

namespace FeatureViz.Rendering;

/// <summary>Feature visualization by optimization (Xplique's <c>optimize</c>).</summary>
public static class FeatureVisualizer
{
    /// <summary>
    /// Optimizes one image per combination of the objective's variants so that the objective's score, minus the
    /// regularizers, is maximal. Arguments are validated before any step runs (<see cref="ArgumentException"/>).
    /// Cancelling returns the images so far (<see cref="OptimizationResult.Cancelled"/>; the token is checked before
    /// every step); a NaN/infinite loss throws <see cref="OptimizationDivergedException"/> carrying the last finite
    /// images. Steps do not wait for the device: losses are read every
    /// <see cref="OptimizationOptions.LossReadInterval"/> steps, so progress reports (and a divergence) arrive up to
    /// that many steps late, with the same values, images and step numbers as reading every step.
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
        int completed = 0, read = 0;

        // Reads the losses of the steps run since the last read (one download), reports them and stops at the first
        // non-finite one: the session froze its parameters there, so the images are those of that step.
        void ReadLosses()
        {
            foreach (var loss in session.ReadLosses())
            {
                int step = ++read;
                bool warmup = step <= options.WarmupSteps;
                if (!float.IsFinite(loss))
                {
                    snapshots.Add(session.LastFiniteSnapshot(completed, hasPrevious: step > 1));
                    throw new OptimizationDivergedException(step, session.ObjectiveName, loss, new OptimizationResult(snapshots, session.Names, completed, cancelled: false));
                }
                if (!warmup) completed++;
                options.Progress?.Report(new OptimizationProgress(step, total, loss, clock.Elapsed, warmup));
            }
        }

        for (int step = 1; step <= total; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                ReadLosses();
                snapshots.Add(session.Snapshot(completed));
                return new OptimizationResult(snapshots, session.Names, completed, cancelled: true);
            }
            bool warmup = step <= options.WarmupSteps;
            session.Step(warmup);
            int done = step - options.WarmupSteps;
            bool snapshot = !warmup && (done == options.Steps || (options.SaveEvery is int k && done % k == 0));
            if (snapshot || session.PendingLosses >= options.LossReadInterval) ReadLosses();
            if (snapshot) snapshots.Add(session.Snapshot(completed));
        }
        ReadLosses();
        return new OptimizationResult(snapshots, session.Names, completed, cancelled: false);
    }
}
