using FeatureViz.IO;
using FeatureViz.Tests.Cli;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Library;

/// <summary>Defects of the image loader found by the dataset-examples tests.</summary>
public class ImageLoadingRegressionTests
{
    /// <summary>
    /// A PNG cut inside its header chunks (here inside pHYs) made ImageSharp's Identify throw
    /// ArgumentOutOfRangeException, which escaped TryLoad and stopped a folder walk; it is a Corrupt file.
    /// </summary>
    [Fact]
    public void PngCutInsideAHeaderChunkIsCorruptNotACrash()
    {
        string dir = CliHarness.TempDir();
        var buffer = new MemoryStream();
        using (var img = Image.LoadPixelData<L8>(new byte[64], 8, 8)) img.SaveAsPng(buffer);
        byte[] png = buffer.ToArray();
        int failures = 0;
        // Every cut inside the file: none may escape as anything but an ImageLoadException.
        for (int cut = 9; cut < png.Length; cut++)
        {
            string path = Path.Combine(dir, $"cut{cut}.png");
            File.WriteAllBytes(path, png[..cut]);
            bool loaded = ImageFile.TryLoad(path, null, out _, out var error);
            if (loaded) continue;
            failures++;
            Assert.True(error!.Failure is ImageLoadFailure.Corrupt or ImageLoadFailure.NotAnImage, $"cut at {cut}: {error.Failure}");
            Assert.Contains(path, error.Message);
        }
        Assert.True(failures > 0);
    }
}
