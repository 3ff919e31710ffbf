using System.Security.Cryptography;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.Output;

/// <summary>
/// An output folder as a small transactional store. <see cref="Open"/> takes the folder's lock (a second run into the
/// same folder fails at once, naming the other run's pid) and removes stale temporaries of interrupted writes;
/// <see cref="ReadItems(Action{string})"/> returns the images whose files are intact (SHA-256 as recorded), rebuilding the list from
/// the images themselves (each PNG embeds its manifest item) when manifest.json is missing or damaged.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    /// <summary>The lock file: held open with an exclusive lock (flock) for the whole run, deleted at the end.</summary>
    public const string LockFileName = ".featureviz.lock";

    /// <summary>Who holds the lock (pid, command, start time), for the message another run prints.</summary>
    public const string OwnerFileName = ".featureviz.lock.owner";

    private FileStream? _lock;

    private OutputFolder(string directory, FileStream lockStream)
    {
        Directory = directory;
        _lock = lockStream;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>
    /// Locks <paramref name="directory"/> (creating it) for this process and removes stale temporaries. Throws
    /// <see cref="OutputFolderBusyException"/> when another run holds the lock. A run that was killed holds nothing:
    /// the operating system releases its lock, so there is never a stale lock to break.
    /// </summary>
    public static OutputFolder Open(string directory, string command)
    {
        string full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        string lockPath = Path.Combine(full, LockFileName);
        for (int attempt = 0; ; attempt++)
        {
            FileStream stream;
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix, a sharing lock on Windows).
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                throw new OutputFolderBusyException(full, ReadOwner(full));
            }
            if (StillNamedBy(lockPath))
            {
                var folder = new OutputFolder(full, stream);
                AtomicFile.WriteText(Path.Combine(full, OwnerFileName),
                    $"pid {Environment.ProcessId}, {command}, started {DateTimeOffset.UtcNow:u}");
                folder.RemoveStaleTemporaries();
                return folder;
            }
            // The holder deleted the file between our open and our lock: we locked an orphan; try again.
            stream.Dispose();
            if (attempt >= 20) throw new OutputFolderBusyException(full, ReadOwner(full));
        }
    }

    /// <summary>True when <paramref name="name"/> is a bare file name (no folder part, not . or ..), so it stays in the folder.</summary>
    public static bool IsPlainFileName(string? name) =>
        !string.IsNullOrEmpty(name) && name != "." && name != ".." && name.IndexOfAny(['/', '\\', '\0']) < 0 && Path.GetFileName(name) == name;

    /// <summary>The largest image file (PNG or GIF) of the folder that is hashed or decoded: 1 GiB.</summary>
    public const long MaxImageFileBytes = 1L << 30;

    /// <summary>
    /// SHA-256 of a file's bytes, lower-case hex, or null when it is not a regular file within
    /// <see cref="MaxImageFileBytes"/> (a FIFO or device put in its place is never opened) or cannot be read.
    /// </summary>
    public static string? Sha256(string path)
    {
        try
        {
            using var s = UserFile.OpenRead(path, MaxImageFileBytes, "image file");
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>SHA-256 of bytes, lower-case hex.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The intact images in the folder by name: those of manifest.json whose files have the recorded SHA-256, and
    /// every PNG with an embedded item whose pixels hash as recorded (a lost or damaged manifest is rebuilt from
    /// these; <paramref name="warn"/> says so). Missing, truncated and corrupt files are left out.
    /// </summary>
    public Dictionary<string, ManifestItem> ReadItems(Action<string> warn) => ReadItems(Directory, warn);

    /// <summary>
    /// As <see cref="ReadItems(Action{string})"/>, for a folder this process does not lock (merge reads the folders of
    /// running shards): every file is written atomically and checked against its hash, so an image being replaced is
    /// either the old intact one, the new intact one, or left out.
    /// </summary>
    public static Dictionary<string, ManifestItem> ReadItems(string directory, Action<string> warn)
    {
        string manifestPath = Path.Combine(directory, Manifest.FileName);
        var manifest = Manifest.Read(manifestPath, out string? problem);
        var items = new Dictionary<string, ManifestItem>(StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in manifest?.Items ?? [])
        {
            if (items.ContainsKey(item.Name) || !Intact(directory, item)) continue;
            items[item.Name] = item;
            claimed.Add(item.File);
        }
        int adopted = 0;
        foreach (string png in System.IO.Directory.EnumerateFiles(directory, "*.png").Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(png);
            if (claimed.Contains(file) || ImageFiles.TryReadRecord(png) is not { } read) continue;
            var item = Manifest.ItemFromJson(read.Record);
            if (item is null || item.File != file || item.PixelsSha256 != read.PixelsSha256 || items.ContainsKey(item.Name)) continue;
            string? gifHash = item.Animation is { } a ? Sha256(Path.Combine(directory, a)) : null;
            string? pngHash = Sha256(png);
            if (pngHash is null) continue;
            string? mapsHash = TransparencyHash(directory, item);
            if (item.Transparency is not null && mapsHash is null) continue; // MaCo maps missing: recompute
            items[item.Name] = item with
            {
                Animation = gifHash is null ? null : item.Animation, Width = read.Width, Height = read.Height, Seconds = 0,
                Sha256 = pngHash, AnimationSha256 = gifHash, TransparencySha256 = mapsHash,
            };
            claimed.Add(file);
            adopted++;
        }
        if (problem is not null)
            warn($"warning: {manifestPath} is damaged ({problem}); rebuilt from the {items.Count} valid image(s) in the folder.");
        else if (manifest is null && adopted > 0)
            warn($"warning: {manifestPath} is missing; rebuilt from the {adopted} valid image(s) in the folder.");
        else if (adopted > 0)
            warn($"note: {adopted} valid image(s) in {directory} were not listed in manifest.json; they are listed again.");
        return items;
    }

    /// <summary>Releases the lock (and deletes the lock files while still holding it).</summary>
    public void Dispose()
    {
        if (_lock is null) return;
        TryDelete(Path.Combine(Directory, OwnerFileName));
        TryDelete(Path.Combine(Directory, LockFileName));
        _lock.Dispose();
        _lock = null;
    }

    private static bool Intact(string directory, ManifestItem item)
    {
        string path = Path.Combine(directory, item.File);
        if (item.Sha256 is null || Sha256(path) != item.Sha256) return false;
        bool maco = item.Parameters.GetValueOrDefault("parametrization") == "maco";
        if (maco && (item.TransparencySha256 is null || TransparencyHash(directory, item) != item.TransparencySha256)) return false;
        if (item.Animation is null) return true;
        return item.AnimationSha256 is not null && Sha256(Path.Combine(directory, item.Animation)) == item.AnimationSha256;
    }

    /// <summary>The SHA-256s of a MaCo item's two map files joined by a comma, or null when it has none or one is missing.</summary>
    internal static string? TransparencyHash(string directory, ManifestItem item)
    {
        if (item.Transparency is null || item.TransparencyMap is null) return null;
        string? a = Sha256(Path.Combine(directory, item.Transparency)), b = Sha256(Path.Combine(directory, item.TransparencyMap));
        return a is null || b is null ? null : $"{a},{b}";
    }

    private void RemoveStaleTemporaries()
    {
        // Only featureviz writes temporaries here, and this run holds the lock: any that exist were left by a killed run.
        foreach (string f in System.IO.Directory.EnumerateFiles(Directory, ".*.tmp"))
            if (AtomicFile.IsTemporary(Path.GetFileName(f))) TryDelete(f);
    }

    /// <summary>True when the lock file at <paramref name="path"/> is the one this process just locked (not an orphan that the previous holder unlinked).</summary>
    private static bool StillNamedBy(string path)
    {
        try
        {
            // Our exclusive lock makes a second open of the same file fail; a missing or lockable file is another one.
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string? ReadOwner(string directory)
    {
        string path = Path.Combine(directory, OwnerFileName);
        for (int i = 0; i < 20; i++)
        {
            try
            {
                string text = File.ReadAllText(path).Trim();
                if (text.Length > 0) return text;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not written yet (the other run is starting): wait briefly.
            }
            Thread.Sleep(50);
        }
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Another run holds the output folder's lock (exit 1; the message names the folder and the other run).</summary>
internal sealed class OutputFolderBusyException(string directory, string? owner)
    : IOException($"the output folder '{directory}' is in use by another featureviz run ({owner ?? "pid unknown"}); "
                  + "wait for it to finish or choose another --out (two runs into one folder are refused, --force does not override this).")
{
    /// <summary>The folder.</summary>
    public string Directory { get; } = directory;
}
