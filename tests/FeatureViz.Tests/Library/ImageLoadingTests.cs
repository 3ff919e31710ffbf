using System.Buffers.Binary;
using System.IO.Compression;
using FeatureViz.IO;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace FeatureViz.Tests.Library;

public sealed class ImageLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fv-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_dir, name);

    private static Rgb24 Pixel(int x, int y) => new((byte)(10 + 30 * x), (byte)(200 - 20 * y), (byte)(7 * x * y));

    private string WriteRgb(string name, int width, int height, Func<int, int, Rgb24>? pixel = null)
    {
        pixel ??= Pixel;
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) image[x, y] = pixel(x, y);
        string path = Path(name);
        image.Save(path);
        return path;
    }

    [Fact]
    public void RgbPngLoadsAsPlanarValuesOver255()
    {
        string path = WriteRgb("a.png", 5, 3);
        var image = ImageFile.Load(path);
        Assert.Equal((3, 3, 5), (image.Channels, image.Height, image.Width));
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
            {
                var p = Pixel(x, y);
                Assert.Equal(p.R / 255.0, image.Pixels[y * 5 + x], 6);
                Assert.Equal(p.G / 255.0, image.Pixels[15 + y * 5 + x], 6);
                Assert.Equal(p.B / 255.0, image.Pixels[30 + y * 5 + x], 6);
            }
    }

    [Fact]
    public void GrayscalePngLoadsAsOneChannelAndConvertsOnRequest()
    {
        string path = Path("g.png");
        using (var gray = new Image<L8>(4, 2))
        {
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 4; x++) gray[x, y] = new L8((byte)(x * 60 + y));
            gray.Save(path);
        }
        var one = ImageFile.Load(path);
        Assert.Equal(1, one.Channels);
        Assert.Equal((2 * 60 + 1) / 255.0, one.Pixels[1 * 4 + 2], 5);
        var three = ImageFile.Load(path, new ImageLoadOptions { Channels = 3 });
        Assert.Equal(3, three.Channels);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(one.Pixels[i], three.Pixels[i], 5);
            Assert.Equal(one.Pixels[i], three.Pixels[8 + i], 5);
            Assert.Equal(one.Pixels[i], three.Pixels[16 + i], 5);
        }
    }

    [Fact]
    public void ColourToLuminanceUsesBt709Weights()
    {
        string path = WriteRgb("c.png", 3, 2);
        var image = ImageFile.Load(path, new ImageLoadOptions { Channels = 1 });
        Assert.Equal(1, image.Channels);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                var p = Pixel(x, y);
                double expected = (0.2126 * p.R + 0.7152 * p.G + 0.0722 * p.B) / 255.0;
                Assert.Equal(expected, image.Pixels[y * 3 + x], 5);
            }
    }

    [Fact]
    public void CenterCropKeepsTheCentreAndStretchKeepsEverything()
    {
        // 8 x 4: columns 2..5 red, the rest blue. Fitting into 4 x 4 needs no scaling for the crop.
        string path = WriteRgb("wide.png", 8, 4, (x, _) => x is >= 2 and < 6 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255));
        var crop = ImageFile.Load(path, new ImageLoadOptions { ResizeTo = new ImageSize(4, 4), Fit = ImageFit.CenterCrop });
        Assert.Equal((4, 4), (crop.Height, crop.Width));
        Assert.All(crop.Pixels.Take(16), r => Assert.Equal(1.0, r, 2));           // red everywhere
        Assert.All(crop.Pixels.Skip(32), b => Assert.Equal(0.0, b, 2));           // no blue
        var stretch = ImageFile.Load(path, new ImageLoadOptions { ResizeTo = new ImageSize(4, 4) });
        Assert.True(stretch.Pixels.Skip(32).Max() > 0.5, "the stretched image keeps the blue borders");
    }

    [Fact]
    public void ToTensorMapsUnitRangeToTheValueRange()
    {
        var image = ImageFile.Load(WriteRgb("t.png", 2, 2));
        using var t = image.ToTensor(CpuBackend.Default, new ValueRange(-1, 3));
        Assert.Equal([1, 3, 2, 2], t.Shape);
        var data = t.ToArray();
        for (int i = 0; i < data.Length; i++) Assert.Equal(-1 + 4.0 * image.Pixels[i], data[i], 5);
    }

    [Fact]
    public void DecompressionBombIsRefusedFromItsHeader()
    {
        // A valid PNG whose header declares 60000 x 60000 RGB pixels (10.8 GB decoded) and whose data is a few bytes.
        string path = Path("bomb.png");
        File.WriteAllBytes(path, Png(60000, 60000, colorType: 2, idat: Deflate(new byte[64 * 1024])));
        var e = Assert.Throws<ImageLoadException>(() => ImageFile.Load(path));
        Assert.Equal(ImageLoadFailure.TooManyPixels, e.Failure);
        Assert.Contains("60000 x 60000", e.Message);
        Assert.Contains("bomb.png", e.Message);
    }

    [Fact]
    public void TruncatedAndGarbageFilesAreReportedNotThrownAsOtherExceptions()
    {
        string good = WriteRgb("good.png", 32, 32);
        var bytes = File.ReadAllBytes(good);
        string truncated = Path("truncated.png");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var t = Assert.Throws<ImageLoadException>(() => ImageFile.Load(truncated));
        Assert.Equal(ImageLoadFailure.Corrupt, t.Failure);

        string jpeg = Path("good.jpg");
        using (var img = new Image<Rgb24>(64, 64))
        {
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++) img[x, y] = Pixel(x % 7, y % 9);
            img.SaveAsJpeg(jpeg);
        }
        var jpegBytes = File.ReadAllBytes(jpeg);
        string cutJpeg = Path("truncated.jpg");
        File.WriteAllBytes(cutJpeg, jpegBytes[..(jpegBytes.Length * 2 / 3)]);
        Assert.Equal(ImageLoadFailure.Corrupt, Assert.Throws<ImageLoadException>(() => ImageFile.Load(cutJpeg)).Failure);
        Assert.Equal(3, ImageFile.Load(jpeg).Channels);

        string text = Path("notes.png");
        File.WriteAllText(text, "not an image at all");
        Assert.Equal(ImageLoadFailure.NotAnImage, Assert.Throws<ImageLoadException>(() => ImageFile.Load(text)).Failure);

        Assert.Equal(ImageLoadFailure.NotFound, Assert.Throws<ImageLoadException>(() => ImageFile.Load(Path("missing.png"))).Failure);
        var big = Assert.Throws<ImageLoadException>(() => ImageFile.Load(good, new ImageLoadOptions { MaxFileBytes = 10 }));
        Assert.Equal(ImageLoadFailure.FileTooLarge, big.Failure);
        Assert.False(ImageFile.TryLoad(truncated, null, out var none, out var error));
        Assert.Null(none);
        Assert.Equal(ImageLoadFailure.Corrupt, error!.Failure);
    }

    [Fact]
    public void FolderWalkIsOrderedRecursiveAndReportsBadFiles()
    {
        Directory.CreateDirectory(Path("sub"));
        WriteRgb("b.png", 2, 2);
        WriteRgb(System.IO.Path.Combine("sub", "a.png"), 2, 2);
        File.WriteAllText(Path("readme.txt"), "x");
        File.WriteAllText(Path("broken.jpg"), "y");
        File.WriteAllText(Path(".hidden.png"), "z");
        var entries = ImageFolder.Enumerate(_dir).ToList();
        Assert.Equal(["b.png", "broken.jpg", "readme.txt", System.IO.Path.Combine("sub", "a.png")],
            entries.Select(e => System.IO.Path.GetRelativePath(_dir, e.Path)).ToArray());
        Assert.NotNull(entries[0].Image);
        Assert.Equal(ImageLoadFailure.NotAnImage, entries[1].Error!.Failure);
        Assert.Equal(ImageLoadFailure.NotAnImage, entries[2].Error!.Failure);
        Assert.NotNull(entries[3].Image);
        Assert.Single(ImageFolder.Enumerate(_dir, recursive: false), e => e.Image is not null);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Enumerate(Path("nope")));
    }

    // A minimal PNG writer: signature, IHDR, one IDAT, IEND, with real CRCs.
    internal static byte[] Png(int width, int height, byte colorType, byte[] idat)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = colorType;
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", idat);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. typeBytes, .. data]));
        s.Write(crc);
    }

    // PNG's CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.
    private static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    internal static byte[] Deflate(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }
}
