namespace FeatureViz.Cli;

/// <summary>Process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;

    /// <summary>The run was interrupted (Ctrl+C) after writing what it had finished (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}

/// <summary>A bad command line: reported with exit code 2. The message names the argument.</summary>
internal sealed class UsageException(string message) : Exception(message);
