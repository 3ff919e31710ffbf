using Xunit;

namespace FeatureViz.TestSupport;

/// <summary>Locates ../shared (reference data kept beside the repository, never copied into it).</summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The repository root (the folder holding FeatureViz.sln), or null.</summary>
    public static string? RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder, or null when absent.</summary>
    public static string? Directory => Root.Value;

    /// <summary>Why tests that need it are skipped.</summary>
    public const string MissingReason = "../shared (reference data beside the repository) is absent, so this test cannot run.";

    /// <summary>A path inside ../shared (the folder may not exist).</summary>
    public static string PathOf(params string[] parts) => System.IO.Path.Combine([Directory ?? "/nonexistent-shared", .. parts]);

    private static string? FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "FeatureViz.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }

    private static string? Find()
    {
        if (RepoRoot is null) return null;
        var s = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared"));
        return System.IO.Directory.Exists(s) ? s : null;
    }
}

/// <summary>A fact that is skipped, with the reason printed, when ../shared/<c>relativePath</c> is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SharedDataFactAttribute(string relativePath = "")
    {
        if (SharedData.Directory is null || !Path.Exists(SharedData.PathOf(relativePath)))
            Skip = $"{SharedData.MissingReason} (needs shared/{relativePath})";
    }
}

/// <summary>A theory that is skipped, with the reason printed, when ../shared/<c>relativePath</c> is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SharedDataTheoryAttribute(string relativePath = "")
    {
        if (SharedData.Directory is null || !Path.Exists(SharedData.PathOf(relativePath)))
            Skip = $"{SharedData.MissingReason} (needs shared/{relativePath})";
    }
}
