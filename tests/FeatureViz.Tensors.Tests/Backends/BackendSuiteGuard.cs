using System.Text.RegularExpressions;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Backends;

/// <summary>Keeps the conformance suite whole: every suite class runs on every registered backend, and only there.</summary>
public partial class BackendSuiteGuard
{
    /// <summary>The suite classes of this assembly.</summary>
    internal static IReadOnlyList<Type> SuiteClasses() => BackendSuiteCoverage.SuiteClasses(typeof(BackendSuiteGuard).Assembly);

    [Fact]
    public void EverySuiteClassHasASubclassForEveryRegisteredBackend()
    {
        var suites = SuiteClasses();
        Assert.True(suites.Count >= 21, $"only {suites.Count} suite classes found: " + string.Join(", ", suites.Select(s => s.Name)));
        var missing = BackendSuiteCoverage.MissingSubclasses(typeof(BackendSuiteGuard).Assembly, BackendFactories.All);
        Assert.True(missing.Count == 0, "Suite classes that a registered backend does not run (add a line to its suite file): " + string.Join(", ", missing));
    }

    [Fact]
    public void NoSuiteTestNamesAConcreteBackend()
    {
        // A suite test that makes its tensors on a named backend would test that backend on every subclass. Only the
        // per-backend suite files (Backends/) and the CPU kernel tests (Kernels/) may name one.
        Assert.NotNull(SharedData.RepoRoot);
        var dir = Path.Combine(SharedData.RepoRoot, "tests", "FeatureViz.Tensors.Tests");
        var offenders = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("Backends/", StringComparison.Ordinal) && !f.StartsWith("Kernels/", StringComparison.Ordinal)
                        && !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Where(f => ConcreteBackend().IsMatch(File.ReadAllText(Path.Combine(dir, f))))
            .ToList();
        Assert.True(offenders.Count == 0, "Files outside Backends/ and Kernels/ that name a concrete backend: " + string.Join(", ", offenders));
    }

    [GeneratedRegex(@"FeatureViz\.Kernels|\bCpuBackend\w*|\bDelegatingCpuBackendFactory\b|new\s+(Delegating|Counting)Backend\s*\(\s*(?!Backend\b)")]
    private static partial Regex ConcreteBackend();
}
