namespace FeatureViz.Cli.Output;

/// <summary>
/// Validation of the output paths named on the command line (render's and gallery's <c>--out</c>, eval's
/// <c>--output-dir</c>, grad's <c>--out</c>): a bad one is a usage error (exit 2) naming the option, not raw .NET text.
/// </summary>
internal static class OutputFolderPaths
{
    /// <summary>
    /// Makes sure <paramref name="path"/> names a folder that exists or can be created (it is created) and returns it;
    /// throws <see cref="UsageException"/> naming <paramref name="option"/> for an empty path, an existing file, or a
    /// folder that cannot be created.
    /// </summary>
    public static string RequireFolder(string? path, string option)
    {
        string full = FullPath(path, option, "an output folder");
        if (File.Exists(full)) throw new UsageException($"{option}: '{path}' is a file, not a folder.");
        Create(full, option, $"the folder '{path}'");
        CheckWritable(full, option, $"the folder '{path}'");
        return path!;
    }

    /// <summary>
    /// Makes sure <paramref name="path"/> names a file that can be written: not empty, not a folder, in a folder that
    /// exists or can be created (it is created). Throws <see cref="UsageException"/> naming <paramref name="option"/>.
    /// </summary>
    public static string RequireFile(string? path, string option)
    {
        string full = FullPath(path, option, "an output file");
        if (Directory.Exists(full)) throw new UsageException($"{option}: '{path}' is a folder, not a file.");
        string? parent = Path.GetDirectoryName(full);
        if (parent is null) throw new UsageException($"{option}: '{path}' is not a file path.");
        if (File.Exists(parent)) throw new UsageException($"{option}: '{parent}' (the folder of '{path}') is a file.");
        Create(parent, option, $"the folder of '{path}'");
        CheckWritable(parent, option, $"the folder of '{path}'");
        return path!;
    }

    /// <summary>
    /// Creates and deletes a probe file in <paramref name="folder"/>, so a folder that exists but takes no files (/proc,
    /// read-only mounts, no permission) is a usage error now rather than a raw I/O error after the work is done. The
    /// probe is named like a temporary of <see cref="AtomicFile"/>, so a killed run's probe is cleaned up as one.
    /// </summary>
    private static void CheckWritable(string folder, string option, string what)
    {
        string probe = Path.Combine(folder, $".featureviz-probe.{Guid.NewGuid():N}.tmp");
        try
        {
            using var _ = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{option}: cannot write files in {what}: {e.Message}");
        }
    }

    private static void Create(string folder, string option, string what)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{option}: cannot create {what}: {e.Message}");
        }
    }

    private static string FullPath(string? path, string option, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"{option}: expected {what}, got an empty path.");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"{option}: '{path}' is not a valid path: {e.Message}");
        }
    }
}
