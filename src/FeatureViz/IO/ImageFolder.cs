namespace FeatureViz.IO;

/// <summary>One file of an <see cref="ImageFolder.Enumerate"/> walk: the decoded image, or why it was skipped.</summary>
public readonly record struct ImageFolderEntry(string Path, LoadedImage? Image, ImageLoadException? Error);

/// <summary>Streams the images of a folder, one decoded image at a time (memory does not grow with the folder).</summary>
public static class ImageFolder
{
    /// <summary>
    /// Yields every file under <paramref name="directory"/> in ordinal path order, decoding each only when reached:
    /// an entry with <see cref="ImageFolderEntry.Image"/> set, or with <see cref="ImageFolderEntry.Error"/> for a file
    /// that is not an image (by extension or content), too large, damaged or truncated, so callers can report it and
    /// go on. Hidden files (names starting with '.') are skipped silently. To resume a walk, <paramref name="after"/>
    /// yields only the files whose path sorts (ordinal) after it, and opens none of those before.
    /// </summary>
    public static IEnumerable<ImageFolderEntry> Enumerate(string directory, ImageLoadOptions? options = null, bool recursive = true, string? after = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ImageLoadOptions();
        options.Validate();
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Image folder '{directory}' does not exist.");
        var files = Directory.EnumerateFiles(directory, "*", new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden,
        }).Where(f => !Path.GetFileName(f).StartsWith('.') && (after is null || string.CompareOrdinal(f, after) > 0)).ToList();
        files.Sort(StringComparer.Ordinal);
        return Walk(files, options);
    }

    private static IEnumerable<ImageFolderEntry> Walk(List<string> files, ImageLoadOptions options)
    {
        foreach (var file in files)
        {
            if (!ImageFile.Extensions.Contains(Path.GetExtension(file)))
            {
                yield return new ImageFolderEntry(file, null, new ImageLoadException(file, ImageLoadFailure.NotAnImage,
                    $"Image '{file}': the extension '{Path.GetExtension(file)}' is not an image extension ({string.Join(", ", ImageFile.Extensions.Order())})."));
                continue;
            }
            ImageFile.TryLoad(file, options, out var image, out var error);
            yield return new ImageFolderEntry(file, image, error);
        }
    }
}
