using System.Security.Cryptography;
using FeatureViz.Accentuation;
using FeatureViz.Cli.IO;
using FeatureViz.Cli.Render;
using FeatureViz.IO;
using FeatureViz.Rendering;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// The seed of <c>featureviz accentuate --image</c>: an image file (through the library's limited loader, resized to
/// the image size) or a .npy array [C, H, W] or [1, C, H, W]. A 1-channel seed for a 3-channel model is replicated
/// and a 3-channel image for a 1-channel model becomes its luminance (both reported); any other channel mismatch, and
/// any unreadable, corrupt, truncated or oversized file, is a usage error naming the file.
/// </summary>
internal static class AccentuateSeed
{
    public static SeedImage Load(string path, int modelChannels, ImageSize size, Action<string> note)
    {
        if (modelChannels < 1) throw new UsageException($"--image: the model's input has no fixed channel count; cannot check seed '{path}'.");
        return string.Equals(Path.GetExtension(path), ".npy", StringComparison.OrdinalIgnoreCase)
            ? FromNpy(path, modelChannels, note)
            : FromImage(path, modelChannels, size, note);
    }

    private static SeedImage FromImage(string path, int modelChannels, ImageSize size, Action<string> note)
    {
        if (modelChannels is not (1 or 3))
            throw new UsageException($"--image '{path}': the model takes {modelChannels} channels; an image file gives 1 or 3; give a .npy seed [{modelChannels}, H, W].");
        var options = new ImageLoadOptions { ResizeTo = size };
        if (!ImageFile.TryLoad(path, options, out var image, out var error))
            throw new UsageException($"--image: {CliErrors.OneLine(error!)}");
        if (image!.Channels != modelChannels)
        {
            note(image.Channels == 1
                ? $"note: seed '{path}' is grayscale; replicated to the model's 3 channels."
                : $"note: seed '{path}' has {image.Channels} channels; converted to its luminance for the model's 1 channel.");
            if (!ImageFile.TryLoad(path, options with { Channels = modelChannels }, out image, out error))
                throw new UsageException($"--image: {CliErrors.OneLine(error!)}");
        }
        return new SeedImage(image!.Pixels, image.Channels, image.Height, image.Width, Path.GetFileName(path));
    }

    private static SeedImage FromNpy(string path, int modelChannels, Action<string> note)
    {
        NpyArray a;
        try
        {
            a = Npy.Read(path);
        }
        catch (FileNotFoundException)
        {
            throw new UsageException($"--image: seed file '{path}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpyFormatException)
        {
            throw new UsageException($"--image '{path}': {CliErrors.OneLine(e)}");
        }
        var s = a.Shape;
        string shape = $"[{string.Join(", ", s)}]";
        if (!(s.Length == 3 || (s.Length == 4 && s[0] == 1)))
            throw new UsageException($"--image '{path}': a .npy seed must be [C, H, W] or [1, C, H, W]; got {shape}.");
        int c = s[^3], h = s[^2], w = s[^1];
        if (h < 1 || w < 1 || c < 1) throw new UsageException($"--image '{path}': the seed {shape} is empty.");
        var data = a.Data;
        if (c != modelChannels)
        {
            if (c != 1)
                throw new UsageException($"--image '{path}': the seed {shape} has {c} channels but the model takes {modelChannels}; only a 1-channel seed is converted (replicated).");
            note($"note: seed '{path}' has 1 channel; replicated to the model's {modelChannels} channels.");
            var replicated = new float[modelChannels * h * w];
            for (int k = 0; k < modelChannels; k++) data.CopyTo(replicated, k * h * w);
            data = replicated;
            c = modelChannels;
        }
        try
        {
            return new SeedImage(data, c, h, w, Path.GetFileName(path));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--image '{path}': {CliErrors.OneLine(e)}");
        }
    }

    /// <summary>SHA-256 of the seed's pixels and shape (what the optimization starts from), for the manifest.</summary>
    public static string Hash(SeedImage seed)
    {
        var bytes = new byte[seed.Pixels.Length * 4 + 12];
        Buffer.BlockCopy(seed.Pixels, 0, bytes, 12, seed.Pixels.Length * 4);
        BitConverter.TryWriteBytes(bytes.AsSpan(0), seed.Channels);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), seed.Height);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), seed.Width);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>The seed as 8-bit RGB for the report, min-max normalised as the optimization sees it.</summary>
    public static RgbImage ToRgb(SeedImage seed)
    {
        var p = seed.Pixels;
        float min = p.Min(), max = p.Max();
        float scale = max > min ? 255f / (max - min) : 0f;
        int hw = seed.Height * seed.Width;
        var rgb = new byte[3 * hw];
        for (int k = 0; k < hw; k++)
            for (int ch = 0; ch < 3; ch++)
            {
                float v = p[(seed.Channels == 3 ? ch : 0) * hw + k];
                rgb[3 * k + ch] = (byte)Math.Clamp(MathF.Round(max > min ? (v - min) * scale : 127.5f), 0f, 255f);
            }
        return new RgbImage(seed.Width, seed.Height, rgb);
    }
}
