using System.Reflection;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests;

/// <summary>Fails when a public differentiable op on <see cref="Tensor"/> has no gradient test.</summary>
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
        var ops = typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && (m.ReturnType == typeof(Tensor) || m.ReturnType == typeof(Tensor[])))
            .Select(m => m.Name)
            .Where(n => !NotOps.Contains(n))
            .ToHashSet();
        var tested = typeof(GradientCoverageGuard).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<ChecksGradientOfAttribute>())
            .SelectMany(a => a.Ops)
            .ToHashSet();
        var missing = ops.Except(tested).OrderBy(x => x).ToList();
        Assert.True(missing.Count == 0, "Ops without a gradient test: " + string.Join(", ", missing));
    }
}
