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
    public static OptimizationResult Optimize(Objective objective, OptimizationOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("FeatureVisualizer.Optimize: pending");
}
