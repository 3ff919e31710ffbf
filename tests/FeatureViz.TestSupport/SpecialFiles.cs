using System.Diagnostics;

namespace FeatureViz.TestSupport;

/// <summary>Files that are not regular files, for tests of code that must refuse them.</summary>
public static class SpecialFiles
{
    /// <summary>Creates a FIFO (named pipe) with mkfifo; false where that is not possible (Windows, no mkfifo).</summary>
    public static bool MakeFifo(string path)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false });
            p!.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
