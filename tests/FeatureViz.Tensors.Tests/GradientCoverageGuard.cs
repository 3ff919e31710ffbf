using System.Reflection;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Tests.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests;

/// <summary>
/// Fails when a public differentiable op on <see cref="Tensor"/> has no gradient test in the backend conformance suite
/// (a <see cref="ChecksGradientOfAttribute"/> test of a suite class, so every backend runs it), or when a gradient
/// test names an op that does not exist.
/// </summary>
public class GradientCoverageGuard
{
    // Public Tensor members that return tensors but are not differentiable ops.
    private static readonly HashSet<string> NotOps =
    [
        nameof(Tensor.FromArray), nameof(Tensor.Zeros), nameof(Tensor.Full), nameof(Tensor.Scalar),
        nameof(Tensor.FromStorage), nameof(Tensor.Detach), nameof(Tensor.RequireGrad), nameof(Tensor.Record),
        nameof(Tensor.SumToShape), nameof(Tensor.Map), nameof(Tensor.Zip),
        // Comparisons have a zero gradient by definition.
        nameof(Tensor.Equal), nameof(Tensor.Less), nameof(Tensor.Greater),
    ];

    [Fact]
    public void EveryOpHasAGradientTest()
    {
        var ops = Ops();
        var tested = GradientTests(suiteOnly: true);
        var missing = ops.Except(tested).OrderBy(x => x).ToList();
        var outsideSuite = GradientTests(suiteOnly: false).Except(tested).ToHashSet();
        Assert.True(missing.Count == 0, "Ops without a gradient test in the backend conformance suite: "
            + string.Join(", ", missing.Select(m => outsideSuite.Contains(m) ? m + " (tested outside the suite only)" : m)));
        var unknown = GradientTests(suiteOnly: false).Except(ops).OrderBy(x => x).ToList();
        Assert.True(unknown.Count == 0, "Gradient tests name ops that Tensor does not have: " + string.Join(", ", unknown));
    }

    private static HashSet<string> Ops() =>
        typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && (m.ReturnType == typeof(Tensor) || m.ReturnType == typeof(Tensor[])))
            .Select(m => m.Name)
            .Where(n => !NotOps.Contains(n))
            .ToHashSet();

    private static HashSet<string> GradientTests(bool suiteOnly) =>
        typeof(GradientCoverageGuard).Assembly.GetTypes()
            .Where(t => !suiteOnly || BackendSuiteGuard.SuiteClasses().Contains(t))
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<ChecksGradientOfAttribute>())
            .SelectMany(a => a.Ops)
            .ToHashSet();
}
