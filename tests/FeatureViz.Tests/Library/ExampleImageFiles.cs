using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Library;

/// <summary>Image files for the dataset-example tests: PNGs from pixel bytes, and the bad files a folder may hold.</summary>
internal static class ExampleImageFiles
{
    /// <summary>Writes a grayscale PNG of <paramref name="pixels"/> (row-major bytes).</summary>
    public static string Gray(string path, byte[] pixels, int width, int height)
    {
        using var img = Image.LoadPixelData<L8>(pixels, width, height);
        img.SaveAsPng(path);
        return path;
    }

    /// <summary>Writes an RGB PNG of <paramref name="pixels"/> (row-major, 3 bytes a pixel).</summary>
    public static string Rgb(string path, byte[] pixels, int width, int height)
    {
        using var img = Image.LoadPixelData<Rgb24>(pixels, width, height);
        img.SaveAsPng(path);
        return path;
    }

    /// <summary>The grayscale pixels of a PNG as written (independent of the library's loader).</summary>
    public static float[] ReadGray(string path)
    {
        using var img = Image.Load<L8>(path);
        var px = new float[img.Width * img.Height];
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++) px[y * img.Width + x] = img[x, y].PackedValue / 255f;
        return px;
    }

    /// <summary>
    /// Corrupt, truncated, decompression-bomb and non-image files in <paramref name="dir"/>, by kind; the bomb is a
    /// valid 8 x 8 PNG whose header (with a correct CRC) declares 60,000 x 60,000 pixels.
    /// </summary>
    public static Dictionary<string, string> BadFiles(string dir)
    {
        var good = new MemoryStream();
        using (var img = Image.LoadPixelData<L8>(Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray(), 8, 8)) img.SaveAsPng(good);
        byte[] png = good.ToArray();
        var files = new Dictionary<string, string>
        {
            ["truncated"] = Path.Combine(dir, "bad_truncated.png"),
            ["garbage"] = Path.Combine(dir, "bad_garbage.png"),
            ["text"] = Path.Combine(dir, "bad_notes.txt"),
            ["bomb"] = Path.Combine(dir, "bad_bomb.png"),
            ["empty"] = Path.Combine(dir, "bad_empty.jpg"),
        };
        File.WriteAllBytes(files["truncated"], png[..(png.Length / 2)]);
        var garbage = new byte[300];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(files["garbage"], garbage);
        File.WriteAllText(files["text"], "not an image\n");
        File.WriteAllBytes(files["bomb"], WithSize(png, 60_000, 60_000));
        File.WriteAllBytes(files["empty"], []);
        return files;
    }

    /// <summary>A PNG with its IHDR width and height replaced (CRC recomputed).</summary>
    private static byte[] WithSize(byte[] png, int width, int height)
    {
        var b = (byte[])png.Clone();
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ... , CRC over type + data (17 bytes) at 29.
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), Crc32(b.AsSpan(12, 17)));
        return b;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            crc ^= x;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
