using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.IO;

/// <summary>A decoded image: <see cref="Pixels"/> in CHW order with values in [0, 1].</summary>
public sealed class LoadedImage
{
    internal LoadedImage(string path, int channels, int height, int width, float[] pixels)
    {
        Path = path;
        Channels = channels;
        Height = height;
        Width = width;
        Pixels = pixels;
    }

    /// <summary>The file the image came from.</summary>
    public string Path { get; }

    /// <summary>1 (luminance) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>The pixels, CHW, each value in [0, 1] (8-bit samples divided by 255).</summary>
    public float[] Pixels { get; }

    /// <summary>The image as a [1, C, H, W] tensor on <paramref name="backend"/>, values mapped from [0, 1] to <paramref name="range"/>.</summary>
    public Tensor ToTensor(IBackend backend, ValueRange range)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var data = new float[Pixels.Length];
        float width = range.Width, min = range.Min;
        for (int i = 0; i < data.Length; i++) data[i] = min + width * Pixels[i];
        return Tensor.FromArray(backend, data, 1, Channels, Height, Width);
    }
}
