using System.Text;

namespace FeatureViz.Cli.Output;

/// <summary>Writes files so that readers (and an interrupted run) only ever see complete files: temp file, then rename.</summary>
internal static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temp file beside <paramref name="path"/>, then renames it over it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>The name of a temporary file <see cref="Write"/> uses beside <c>name</c> (a stale one is left by a killed process).</summary>
    public static bool IsTemporary(string fileName) => fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Writes bytes atomically.</summary>
    public static void WriteBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes UTF-8 text (no BOM) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            s.Write(bytes);
        });
}
