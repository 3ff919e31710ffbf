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
        var unexplained = missing.Where(m => GapReason(m) is null).ToList();
        Assert.True(unexplained.Count == 0, "Suite classes that a registered backend does not run (add a line to its suite file, or a reason to BackendSuiteGaps): " + string.Join(", ", unexplained));
    }

    [Fact]
    public void KnownGapsAreListedAndNotStale()
    {
        // Every gap is visible in the test output; a backend that runs a class listed as a gap makes the entry stale.
        var missing = BackendSuiteCoverage.MissingSubclasses(typeof(BackendSuiteGuard).Assembly, BackendFactories.All).ToHashSet();
        var gaps = (from suite in SuiteClasses()
                    from factory in BackendFactories.All
                    let name = suite.Name.Split('`')[0]
                    let reason = BackendSuiteGaps.Reason(name, factory)
                    where reason is not null
                    select (Key: $"{name}<{factory.Name}>", Reason: reason)).ToList();
        foreach (var (key, reason) in gaps) Console.WriteLine($"Known suite gap: {key}: {reason}");
        var stale = gaps.Where(g => !missing.Contains(g.Key)).Select(g => g.Key).ToList();
        Assert.True(stale.Count == 0, "Suite classes listed as known gaps that now run (remove them from BackendSuiteGaps): " + string.Join(", ", stale));
    }

    private static string? GapReason(string missing)
    {
        int open = missing.IndexOf('<');
        string suite = missing[..open], factory = missing[(open + 1)..^1];
        var type = BackendFactories.All.Single(f => f.Name == factory);
        return BackendSuiteGaps.Reason(suite, type);
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
