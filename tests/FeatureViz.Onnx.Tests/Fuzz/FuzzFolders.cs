namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>Removes the mutants' folders. Symbolic links (to /etc, /dev/zero...) are unlinked, never followed.</summary>
internal static class FuzzFolders
{
    public static void DeleteTree(string dir)
    {
        var info = new DirectoryInfo(dir);
        if (!info.Exists) return;
        if (info.LinkTarget is not null) { File.Delete(dir); return; }
        foreach (var e in info.EnumerateFileSystemInfos())
        {
            if (e.LinkTarget is not null || e is FileInfo) File.Delete(e.FullName);
            else DeleteTree(e.FullName);
        }
        info.Delete(recursive: false);
    }
}
