namespace FeatureViz.IO;

/// <summary>Why an image file was refused.</summary>
public enum ImageLoadFailure
{
    /// <summary>The file does not exist or cannot be opened.</summary>
    NotFound,

    /// <summary>The file is larger than <see cref="ImageLoadOptions.MaxFileBytes"/>.</summary>
    FileTooLarge,

    /// <summary>The header declares more pixels than <see cref="ImageLoadOptions.MaxPixels"/> (e.g. a decompression bomb).</summary>
    TooManyPixels,

    /// <summary>The file is not in an image format ImageSharp decodes (PNG, JPEG, BMP, GIF, TGA, TIFF, WebP, PBM).</summary>
    NotAnImage,

    /// <summary>The file has an image format but its content is damaged or truncated.</summary>
    Corrupt,
}

/// <summary>An image file that could not be loaded; the message names the file and the reason or limit.</summary>
public sealed class ImageLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageLoadException(string path, ImageLoadFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Failure = failure;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The reason.</summary>
    public ImageLoadFailure Failure { get; }
}
