using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// <c>featureviz render --cppn-weights FILE</c>: draws the images of a CPPN weights file (written beside each PNG by
/// <c>--param cppn</c>) at another size, without a model or any optimization.
/// </summary>
internal static class CppnRedraw
{
    /// <summary>The size drawn when --save-size is not given.</summary>
    public const int DefaultSide = 1024;

    /// <summary>Writes NAME-WxH.png (NAME-i-WxH.png for a file of several images) into <paramref name="outDir"/>, atomically; returns the exit code.</summary>
    public static int Run(CliContext context, string weightsPath, string? saveSize, string outDir)
    {
        var (w, h) = saveSize is null ? (DefaultSide, DefaultSide) : RenderOptions.ParseSize(saveSize, "--save-size");
        CppnImages images;
        try { images = CppnImages.Load(weightsPath); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--cppn-weights: {CliErrors.OneLine(e)}");
        }
        if (images.Count == 0) throw new UsageException($"--cppn-weights: '{weightsPath}' holds no images.");
        Directory.CreateDirectory(outDir);
        string name = Path.GetFileName(weightsPath);
        foreach (var suffix in new[] { ".cppn.json", ".json" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                name = name[..^suffix.Length];
                break;
            }
        for (int i = 0; i < images.Count; i++)
        {
            // One network at a time: a 4096 x 4096 drawing of many images stays within one image's memory.
            var batch = images.Single(i).Render(new ImageSize(h, w));
            string file = Path.Combine(outDir, images.Count == 1 ? $"{name}-{w}x{h}.png" : $"{name}-{i}-{w}x{h}.png");
            AtomicFile.WriteBytes(file, ImageFiles.EncodePng(LibraryRenderEngine.ToRgb(batch, 0), null));
            context.Out.WriteLine(file);
        }
        return 0;
    }
}
