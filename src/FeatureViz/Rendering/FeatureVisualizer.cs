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
    /// every step and after every progress report: cancelling from a report stops at that report's step); a
    /// NaN/infinite loss throws <see cref="OptimizationDivergedException"/> carrying the last finite images. Steps do
    /// not wait for the device: losses are read every <see cref="OptimizationOptions.LossReadInterval"/> steps, so
    /// progress reports (and a divergence) arrive up to that many steps late, with the same values, images and step
    /// numbers as reading every step.
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
        // Stopping exactly at a report's step needs the parameters of the steps read together; keep them only when a
        // report can cancel.
        using var session = CreateSession(objective, options, cancellationToken);
        return Run(session, options, cancellationToken);
    }

    /// <summary>A session for <see cref="Run"/>, keeping step parameters only when a report can cancel.</summary>
    internal static OptimizationSession CreateSession(Objective objective, OptimizationOptions options, CancellationToken cancellationToken, Maco.MacoOptions? maco = null) =>
        new(objective, options, maco)
        {
            KeepStepParameters = cancellationToken.CanBeCanceled && options.Progress is not null && options.LossReadInterval > 1,
        };

    /// <summary>The optimization loop over a session: steps, batched loss reads, progress, cancellation, divergence, snapshots.</summary>
    internal static OptimizationResult Run(OptimizationSession session, OptimizationOptions options, CancellationToken cancellationToken)
    {
        var snapshots = new List<ImageBatch>();
        var losses = new List<float>();
        var objectives = Enumerable.Range(0, session.BatchSize).Select(_ => new List<float>()).ToArray();
        var clock = Stopwatch.StartNew();
        int total = options.WarmupSteps + options.Steps;
        int completed = 0, read = 0;

        OptimizationResult Result(bool cancelled) => new(snapshots, session.Names, completed, cancelled, losses, objectives, session.LastRenderedCppn);

        // Reads the steps run since the last read (one download), reports them and stops at the first non-finite loss
        // (the session froze its parameters there, so the images are those of that step) or at the first report after
        // which the token is cancelled (returns true, with that step's images added).
        bool ReadSteps()
        {
            var records = session.ReadSteps();
            for (int i = 0; i < records.Length; i++)
            {
                var (loss, values) = records[i];
                int step = ++read;
                bool warmup = step <= options.WarmupSteps;
                if (!float.IsFinite(loss))
                {
                    snapshots.Add(session.LastFiniteSnapshot(completed, hasPrevious: step > 1));
                    throw new OptimizationDivergedException(step, session.ObjectiveName, loss, Result(cancelled: false));
                }
                if (!warmup) completed++;
                losses.Add(loss);
                for (int n = 0; n < values.Length; n++) objectives[n].Add(values[n]);
                options.Progress?.Report(new OptimizationProgress(step, total, loss, clock.Elapsed, warmup) { ObjectiveValues = values });
                if (cancellationToken.IsCancellationRequested && (session.KeepStepParameters || i == records.Length - 1))
                {
                    snapshots.Add(session.SnapshotOfRead(i, completed));
                    return true;
                }
            }
            return false;
        }

        for (int step = 1; step <= total; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                if (!ReadSteps()) snapshots.Add(session.Snapshot(completed));
                return Result(cancelled: true);
            }
            bool warmup = step <= options.WarmupSteps;
            session.Step(warmup);
            int done = step - options.WarmupSteps;
            bool snapshot = !warmup && (done == options.Steps || (options.SaveEvery is int k && done % k == 0));
            if ((snapshot || session.PendingLosses >= options.LossReadInterval) && ReadSteps()) return Result(cancelled: true);
            if (snapshot) snapshots.Add(session.Snapshot(completed));
        }
        if (ReadSteps()) return Result(cancelled: true);
        return Result(cancelled: false);
    }

    /// <summary>
    /// <see cref="Optimize"/> on the thread pool. <paramref name="progress"/>, when given, receives the reports
    /// (instead of <see cref="OptimizationOptions.Progress"/>); cancelling <paramref name="cancellationToken"/> from a
    /// report stops at that report's step when the report is synchronous (an <see cref="IProgress{T}"/> that calls
    /// back at once; <see cref="Progress{T}"/> posts to the captured context, so the run then stops at the step that
    /// is current when the cancellation arrives). A cancelled run completes the task with
    /// <see cref="OptimizationResult.Cancelled"/> set and the images so far, as <see cref="Optimize"/> does.
    /// </summary>
    public static Task<OptimizationResult> OptimizeAsync(Objective objective, OptimizationOptions? options = null,
        IProgress<OptimizationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new OptimizationOptions();
        if (progress is not null) options = options with { Progress = progress };
        return Task.Run(() => Optimize(objective, options, cancellationToken), CancellationToken.None);
    }
}
