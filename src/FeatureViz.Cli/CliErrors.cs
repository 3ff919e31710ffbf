using System.Text.RegularExpressions;

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

/// <summary>How errors are shown: one line each, the stack trace only with --verbose.</summary>
internal static partial class CliErrors
{
    /// <summary>" (Parameter 'name')" and ArgumentOutOfRangeException's "Actual value was ...".</summary>
    [GeneratedRegex(@" \(Parameter '[^'\r\n]*'\)|\r?\nActual value was [^\r\n]*")]
    private static partial Regex ArgumentSuffix();

    /// <summary>
    /// The message of <paramref name="e"/> on one line: line breaks become spaces, and what ArgumentException appends
    /// (" (Parameter 'x')", a C# parameter name meaningless on a command line, and ArgumentOutOfRangeException's
    /// "Actual value was ..." line) is dropped.
    /// </summary>
    public static string OneLine(Exception e)
    {
        // Also where another exception's message was copied into this one (the importer's "Node 'n' (Op) failed ...: ...").
        string message = ArgumentSuffix().Replace(e.Message, "");
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Writes "error: MESSAGE" on one line, and with <paramref name="verbose"/> the full exception after it.</summary>
    public static void Report(TextWriter error, Exception e, bool verbose, bool withType = false)
    {
        error.WriteLine(withType ? $"error: {e.GetType().Name}: {OneLine(e)}" : $"error: {OneLine(e)}");
        if (verbose) error.WriteLine(e.ToString());
    }
}
