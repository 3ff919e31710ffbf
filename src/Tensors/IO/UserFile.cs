namespace FeatureViz.Tensors.IO;

/// <summary>
/// Opens files named by a user or by a model (model files, external data, .npy inputs) without trusting them: every
/// symbolic link on the way is resolved to the real path, only regular files are opened (never a folder, device, FIFO
/// or socket, which could block or never end), sizes are held to a limit before anything is read, and reads stop at
/// the size that was checked.
/// </summary>
/// <remarks>
/// Devices, FIFOs and sockets report a size of 0, so an empty file is refused together with them (none of the formats
/// read this way can be empty); this refuses them before <c>open</c>, which on a FIFO would wait for a writer.
/// </remarks>
public static class UserFile
{
    private const int MaxLinkHops = 40;

    /// <summary>
    /// The real path of <paramref name="path"/>: absolute, with every symbolic link on the way (the file and each
    /// folder) replaced by its target and <c>.</c>/<c>..</c> applied after resolving, as <c>realpath(3)</c> does. The
    /// path need not exist (the unresolvable rest is appended as is).
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (a link cycle).</exception>
    public static string RealPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string start = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        string root = Path.GetPathRoot(start)!;
        var pending = new Stack<string>(Components(start[root.Length..]).Reverse());
        string current = root;
        int hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxLinkHops) throw new IOException($"'{path}': more than {MaxLinkHops} symbolic links on the way (a link cycle?).");
            foreach (var t in Components(target).Reverse()) pending.Push(t);
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
        }
        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> itself or lies below it (both real paths).</summary>
    public static bool IsInside(string path, string directory)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string dir = Path.TrimEndingDirectorySeparator(directory);
        return path.StartsWith(dir + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is a regular, non-empty file of at most <paramref name="maxBytes"/> bytes and
    /// returns its real path and size. <paramref name="what"/> names the file in messages (e.g. "model file").
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">It is a folder, a device, FIFO or socket, empty, or larger than the limit.</exception>
    public static (string RealPath, long Length) Check(string path, long maxBytes, string what)
    {
        var real = RealPath(path);
        if (Directory.Exists(real)) throw new IOException($"{what} '{path}' is a folder, not a file.");
        var info = new FileInfo(real);
        if (!info.Exists) throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        long length = info.Length;
        if (length == 0) throw new IOException($"{what} '{path}' is empty or not a regular file (a device, FIFO or socket).");
        if (length > maxBytes) throw new IOException($"{what} '{path}' has {length} bytes, more than the limit of {maxBytes}.");
        return (real, length);
    }

    /// <summary>
    /// Opens a file that passed <see cref="Check"/> for reading. The stream's length is the checked length; the file
    /// changing size in between is an error.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">As <see cref="Check"/>, or the file changed while being opened.</exception>
    public static FileStream OpenRead(string path, long maxBytes, string what)
    {
        var (real, length) = Check(path, maxBytes, what);
        var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (stream.Length != length)
        {
            stream.Dispose();
            throw new IOException($"{what} '{path}' changed while being opened ({length} bytes, then {stream.Length}).");
        }
        return stream;
    }

    /// <summary>Reads a whole file after <see cref="Check"/>: at most <paramref name="maxBytes"/> bytes, never more than its checked size.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">As <see cref="OpenRead"/>, or the file ends before its size.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        using var stream = OpenRead(path, Math.Min(maxBytes, Array.MaxLength), what);
        var bytes = new byte[stream.Length];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw new IOException($"{what} '{path}' shrank while being read.");
        }
        return bytes;
    }

    private static IEnumerable<string> Components(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
