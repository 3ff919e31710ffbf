using System.Runtime.CompilerServices;
using FeatureViz.Kernels.Cpu.Conv;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

/// <summary>Which algorithm runs the 3 x 3, stride-1 convolutions (forward and input gradient) of a <see cref="CpuBackend"/>.</summary>
internal enum Conv3x3Algorithm
{
    /// <summary>Per shape, by <see cref="CpuBackend.ChooseWinograd"/>'s rule.</summary>
    Auto,

    /// <summary>Always im2col + SGEMM.</summary>
    Direct,

    /// <summary>Always Winograd F(4 x 4, 3 x 3).</summary>
    WinogradF4,

    /// <summary>Always Winograd F(6 x 6, 3 x 3).</summary>
    WinogradF6,
}

public sealed unsafe partial class CpuBackend
{
    /// <summary>
    /// Transformed filters, keyed by the weight storage (forward) and by the same storage for the input gradient's
    /// flipped, channel-swapped filters. The rule is the one <see cref="_flipped"/> relies on: a storage's contents
    /// never change after it is created (every op returns a new storage; optimizer updates too), and a storage object
    /// is never reused, so an entry is valid as long as its key lives and dies with it. A storage is re-transformed
    /// only when it is used in another shape or with another algorithm.
    /// </summary>
    private readonly ConditionalWeakTable<TensorStorage, WinogradWeights> _winograd = new(), _winogradFlipped = new();

    /// <summary>Weight storages that already ran a 3 x 3 convolution by the direct path on their first use (forward, input gradient).</summary>
    private readonly ConditionalWeakTable<TensorStorage, object> _winogradSeen = new(), _winogradFlippedSeen = new();

    private static readonly object SeenMarker = new();

    /// <summary>
    /// True when Winograd with filters still to be transformed beats the direct path in a single call: its estimated
    /// cost plus <see cref="WinogradConv.EstimatedTransformCost"/> below the same margin of the direct cost.
    /// </summary>
    internal static bool PaysOnFirstUse(in Conv2dGeometry g, WinogradTransform t) =>
        WinogradConv.EstimatedCost(g, t) + WinogradConv.EstimatedTransformCost(g, t) < AutoMargin * WinogradConv.EstimatedDirectCost(g);

    /// <summary>The algorithm for 3 x 3 stride-1 convolutions (tests and benchmarks pin one; default per shape).</summary>
    internal Conv3x3Algorithm Conv3x3 { get; set; } = Conv3x3Algorithm.Auto;

    private long _winogradCalls;

    /// <summary>How many convolutions ran by Winograd on this backend (tests check which path ran).</summary>
    internal long WinogradCalls => Interlocked.Read(ref _winogradCalls);

    /// <summary>
    /// Runs the convolution <paramref name="g"/> of <paramref name="x"/> with the weights <paramref name="w"/>
    /// (values <paramref name="wv"/>; for the input gradient the flipped copy, and <paramref name="flipped"/> set) by
    /// Winograd when it applies and is chosen; null means the caller runs the direct path.
    /// </summary>
    private float[]? TryWinograd(float[] x, TensorStorage w, float[] wv, bool flipped, float[]? bias, Conv2dGeometry g,
        ConvEpilogue activation = default)
    {
        if (!WinogradConv.Applies(g)) return null;
        var transform = ChooseWinograd(g);
        if (transform is null) return null;
        var table = flipped ? _winogradFlipped : _winograd;
        if (!table.TryGetValue(w, out var u) || !u.Matches(transform, g.O, g.C))
        {
            // A weight seen for the first time is transformed only when that pays off in this one call; otherwise
            // the direct path runs and the transform waits for the weight's second use (a one-shot inference never
            // pays for the transformed copy, 4x the filters' size in fresh memory).
            var seen = flipped ? _winogradFlippedSeen : _winogradSeen;
            if (Conv3x3 == Conv3x3Algorithm.Auto && !seen.TryGetValue(w, out _) && !PaysOnFirstUse(g, transform))
            {
                seen.AddOrUpdate(w, SeenMarker);
                return null;
            }
            u = WinogradWeights.Create(this, transform, wv, g.O, g.C);
            table.AddOrUpdate(w, u);
        }
        Interlocked.Increment(ref _winogradCalls);
        var y = NewUninitialized((long)g.N * g.O * g.OH * g.OW);
        if (y.Length == 0) return y;
        fixed (float* px = x, pb = bias, py = y)
            WinogradConv.Forward(this, px, u, pb, py, g, activation);
        return y;
    }

    /// <summary>The Winograd algorithm for an applicable convolution, or null for the direct path.</summary>
    internal WinogradTransform? ChooseWinograd(in Conv2dGeometry g) => Conv3x3 switch
    {
        Conv3x3Algorithm.Direct => null,
        Conv3x3Algorithm.WinogradF4 => WinogradTransform.F4,
        Conv3x3Algorithm.WinogradF6 => WinogradTransform.F6,
        _ => WinogradConv.EstimatedCost(g, WinogradTransform.F4) < AutoMargin * WinogradConv.EstimatedDirectCost(g) ? WinogradTransform.F4 : null,
    };

    /// <summary>
    /// Winograd is chosen only when its estimated cost is below this fraction of the direct path's: near a tie the
    /// direct path is kept (it is exact to float32 rounding, and the estimate is only a model).
    /// </summary>
    private const double AutoMargin = 0.9;
}
