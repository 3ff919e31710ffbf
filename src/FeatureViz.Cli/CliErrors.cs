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
internal static class CliErrors
{
    /// <summary>
    /// The message of <paramref name="e"/> on one line: line breaks become spaces, and what ArgumentException appends
    /// (" (Parameter 'x')", a C# parameter name meaningless on a command line, and ArgumentOutOfRangeException's
    /// "Actual value was ..." line) is dropped.
    /// </summary>
    public static string OneLine(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            string line = $"Actual value was {actual}.";
            int at = message.LastIndexOf(line, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, line.Length);
        }
        if (e is ArgumentException { ParamName: { } p }) message = message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal);
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Writes "error: MESSAGE" on one line, and with <paramref name="verbose"/> the full exception after it.</summary>
    public static void Report(TextWriter error, Exception e, bool verbose, bool withType = false)
    {
        error.WriteLine(withType ? $"error: {e.GetType().Name}: {OneLine(e)}" : $"error: {OneLine(e)}");
        if (verbose) error.WriteLine(e.ToString());
    }
}
