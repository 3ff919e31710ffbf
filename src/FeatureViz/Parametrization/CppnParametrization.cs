using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Parametrization;

/// <summary>One 1x1-convolution layer of a CPPN inside the flat parameter row: weights [Out, In] then biases [Out].</summary>
internal readonly record struct CppnLayer(int In, int Out, int WeightOffset, int BiasOffset);

/// <summary>
/// The CPPN parametrization (<see cref="CppnOptions"/>): the learned parameter is [N, P], one flat row of all layers'
/// weights and biases per image, sliced and reshaped here, so the session's single parameter tensor and optimizer
/// state hold every network. <see cref="Spatial"/> gives the output layer's logits, <see cref="Finish"/> the sigmoid
/// scaled to the value range.
/// </summary>
internal sealed class CppnParametrization : IImageParametrization
{
    private readonly CppnLayer[] _layers;
    private readonly int _parameterCount;
    private readonly Tensor _grid; // [2, H W]: x then y of each pixel centre
    private readonly ValueRange _range;

    public CppnParametrization(IBackend backend, int count, int channels, ImageSize size, CppnOptions options, ValueRange range)
    {
        options.Validate();
        Count = count;
        Channels = channels;
        Size = size;
        _range = range;
        _layers = Layout(channels, options, out _parameterCount);
        _grid = Tensor.FromArray(backend, Coordinates(size.Height, size.Width, 0, size.Height), 2, size.Height * size.Width);
        TensorScope.Current?.Keep(_grid);
    }

    public int Count { get; }
    public int Channels { get; }
    public ImageSize Size { get; }

    /// <summary>[N, P]: P = every layer's weights and biases.</summary>
    public int[] ParameterShape => [Count, _parameterCount];

    /// <summary>Weights N(0, 1 / fan-in) (Lucent), biases 0, output weights 0; <paramref name="std"/> is not used.</summary>
    public Tensor Initial(IBackend backend, Random random, float std)
    {
        var data = new float[Count * _parameterCount];
        for (int n = 0; n < Count; n++) InitialWeights(random, _layers, data.AsSpan(n * _parameterCount, _parameterCount));
        return Tensor.FromArray(backend, data, ParameterShape);
    }

    public Tensor Spatial(Tensor parameter) => Logits(parameter, _grid, _layers, Size.Height, Size.Width);

    public Tensor Finish(Tensor x) => x.Sigmoid().Affine(_range.Width, _range.Min);

    public bool FinishIsPointwise => true;

    public Tensor Render(Tensor parameter) => Finish(Spatial(parameter));

    public void Dispose() => _grid.Dispose();

    /// <summary>The layers of a CPPN with <paramref name="channels"/> outputs, and the parameter count of one network.</summary>
    internal static CppnLayer[] Layout(int channels, CppnOptions options, out int parameterCount)
    {
        var layers = new CppnLayer[options.Layers + 1];
        int offset = 0, inputs = 2;
        for (int l = 0; l < layers.Length; l++)
        {
            int outputs = l < options.Layers ? options.HiddenChannels : channels;
            layers[l] = new CppnLayer(inputs, outputs, offset, offset + outputs * inputs);
            offset += outputs * inputs + outputs;
            inputs = 2 * outputs; // the composite activation doubles the channels
        }
        parameterCount = offset;
        return layers;
    }

    /// <summary>
    /// Coordinates of the pixel centres of rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of an H x W
    /// image, [2, rows * W]: x (along the width) then y, each in [-sqrt 3, sqrt 3]. Pixel centres rather than Lucid's
    /// linspace end points, so that a k-times larger rendering's k x k blocks average to this one's pixels.
    /// </summary>
    internal static float[] Coordinates(int height, int width, int rowStart, int rowEnd)
    {
        int rows = rowEnd - rowStart, n = rows * width;
        var grid = new float[2 * n];
        double r = CppnOptions.CoordinateRange;
        for (int y = 0; y < rows; y++)
        {
            float cy = (float)(-r + 2 * r * (rowStart + y + 0.5) / height);
            for (int x = 0; x < width; x++)
            {
                grid[y * width + x] = (float)(-r + 2 * r * (x + 0.5) / width);
                grid[n + y * width + x] = cy;
            }
        }
        return grid;
    }

    /// <summary>The output layer's logits [N, C, rows, W] of every image's network at the coordinates <paramref name="grid"/> [2, rows * W].</summary>
    internal static Tensor Logits(Tensor parameter, Tensor grid, CppnLayer[] layers, int rows, int width)
    {
        int n = parameter.Shape[0];
        var h = grid; // [2, P] for the first layer (broadcast over the batch), then [N, channels, P]
        for (int l = 0; l < layers.Length; l++)
        {
            var layer = layers[l];
            var w = parameter.Slice([0, layer.WeightOffset], [n, layer.WeightOffset + layer.Out * layer.In], [0, 1]).Reshape(n, layer.Out, layer.In);
            var b = parameter.Slice([0, layer.BiasOffset], [n, layer.BiasOffset + layer.Out], [0, 1]).Reshape(n, layer.Out, 1);
            var z = w.MatMul(h).Add(b);
            if (l == layers.Length - 1) return z.Reshape(n, layer.Out, rows, width);
            var a = z.Atan();
            h = Tensor.Concat([a.Mul(1f / CppnOptions.AtanScale), a.Mul(a).Mul(1f / CppnOptions.AtanSquaredScale)], 1);
        }
        throw new InvalidOperationException("CppnParametrization: a CPPN has at least one layer.");
    }

    /// <summary>One network's initial row: weights N(0, 1 / fan-in), biases 0, the output layer's weights 0.</summary>
    internal static void InitialWeights(Random random, CppnLayer[] layers, Span<float> row)
    {
        row.Clear();
        for (int l = 0; l < layers.Length - 1; l++)
        {
            var layer = layers[l];
            double std = Math.Sqrt(1.0 / layer.In);
            for (int i = 0; i < layer.Out * layer.In; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                row[layer.WeightOffset + i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }
    }
}
