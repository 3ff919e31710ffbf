using FeatureViz.Tensors.Profiling;

namespace FeatureViz.Cli.Bench;

/// <summary>
/// What <c>featureviz bench --profile</c> recorded: the forward nodes' times over the profiled forward passes, and the
/// backward ops' times over the profiled forward + input gradient passes (whose forward halves are not included).
/// </summary>
/// <param name="Images">Images the profiled passes ran (the per-image figures divide by it).</param>
/// <param name="Forward">Per forward node (op type, node name), the slowest first.</param>
/// <param name="Backward">Per backward op name, the slowest first.</param>
internal sealed record BenchProfile(int Images, IReadOnlyList<OpProfileEntry> Forward, IReadOnlyList<OpProfileEntry> Backward)
{
    /// <summary>Forward entries summed per op type, the slowest first (Node: how many nodes of that type).</summary>
    public IReadOnlyList<OpProfileEntry> ForwardByOp => Group(Forward);

    /// <summary>Backward entries summed per op name, the slowest first.</summary>
    public IReadOnlyList<OpProfileEntry> BackwardByOp => Group(Backward);

    private static List<OpProfileEntry> Group(IEnumerable<OpProfileEntry> entries) =>
        entries.GroupBy(e => (e.Phase, e.Op))
            .Select(g => new OpProfileEntry(g.Key.Phase, g.Key.Op, g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture), g.Sum(e => e.Calls), g.Sum(e => e.TotalMs)))
            .OrderByDescending(e => e.TotalMs).ToList();
}
