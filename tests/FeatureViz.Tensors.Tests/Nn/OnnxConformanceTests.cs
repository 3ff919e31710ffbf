using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

/// <summary>The ONNX backend node tests of the normalisation and Resize ops, read straight from ../shared.</summary>
public abstract class OnnxConformanceTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const string Root = "data/onnx-node-tests";

    private static readonly string[] Names =
    [
        "test_batchnorm_epsilon", "test_batchnorm_example",
        "test_layer_normalization_2d_axis0", "test_layer_normalization_2d_axis1", "test_layer_normalization_2d_axis_negative_1",
        "test_layer_normalization_2d_axis_negative_2", "test_layer_normalization_3d_axis0_epsilon", "test_layer_normalization_3d_axis1_epsilon",
        "test_layer_normalization_3d_axis2_epsilon", "test_layer_normalization_3d_axis_negative_1_epsilon",
        "test_layer_normalization_3d_axis_negative_2_epsilon", "test_layer_normalization_3d_axis_negative_3_epsilon",
        "test_layer_normalization_4d_axis0", "test_layer_normalization_4d_axis1", "test_layer_normalization_4d_axis2",
        "test_layer_normalization_4d_axis3", "test_layer_normalization_4d_axis_negative_1", "test_layer_normalization_4d_axis_negative_2",
        "test_layer_normalization_4d_axis_negative_3", "test_layer_normalization_4d_axis_negative_4", "test_layer_normalization_default_axis",
        "test_lrn", "test_lrn_default",
        "test_resize_downsample_scales_linear", "test_resize_downsample_scales_linear_align_corners",
        "test_resize_downsample_scales_linear_half_pixel_symmetric", "test_resize_downsample_scales_nearest",
        "test_resize_downsample_sizes_linear_pytorch_half_pixel", "test_resize_downsample_sizes_nearest",
        "test_resize_downsample_sizes_nearest_not_larger", "test_resize_downsample_sizes_nearest_not_smaller",
        "test_resize_upsample_scales_linear", "test_resize_upsample_scales_linear_align_corners",
        "test_resize_upsample_scales_linear_half_pixel_symmetric", "test_resize_upsample_scales_nearest",
        "test_resize_upsample_scales_nearest_axes_2_3", "test_resize_upsample_scales_nearest_axes_3_2",
        "test_resize_upsample_sizes_nearest", "test_resize_upsample_sizes_nearest_axes_2_3", "test_resize_upsample_sizes_nearest_axes_3_2",
        "test_resize_upsample_sizes_nearest_ceil_half_pixel", "test_resize_upsample_sizes_nearest_floor_align_corners",
        "test_resize_upsample_sizes_nearest_not_larger", "test_resize_upsample_sizes_nearest_not_smaller",
        "test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric",
    ];

    public static TheoryData<string> Tests() => new(Names);

    private static Tensor T(OnnxNodeTestData.TensorData t) =>
        Tensor.FromArray(Backend, t.Floats, t.Dims.Select(d => (int)d).ToArray());

    private static float F(Dictionary<string, object> a, string name, float def) => a.TryGetValue(name, out var v) ? (float)v : def;

    private static long I(Dictionary<string, object> a, string name, long def) => a.TryGetValue(name, out var v) ? (long)v : def;

    private static string S(Dictionary<string, object> a, string name, string def) => a.TryGetValue(name, out var v) ? (string)v : def;

    [SharedDataTheory(Root)]
    [MemberData(nameof(Tests))]
    public void MatchesOnnxBackendTest(string name)
    {
        var (node, inputs, expected) = OnnxNodeTestData.Load(SharedData.PathOf(Root, name));
        var a = node.Attributes;
        Tensor In(int k) => T(inputs[node.Inputs[k]]);
        var y = node.OpType switch
        {
            "BatchNormalization" => In(0).BatchNorm(In(1), In(2), In(3), In(4), F(a, "epsilon", 1e-5f)),
            "LayerNormalization" => In(0).LayerNorm(In(1), node.Inputs.Length > 2 && node.Inputs[2].Length > 0 ? In(2) : null,
                (int)I(a, "axis", -1), F(a, "epsilon", 1e-5f)),
            "LRN" => In(0).Lrn((int)I(a, "size", 0), F(a, "alpha", 1e-4f), F(a, "beta", 0.75f), F(a, "bias", 1f)),
            "Resize" => Resize(node, inputs),
            _ => throw new InvalidOperationException(node.OpType),
        };
        Assert.Equal(expected.Dims.Select(d => (int)d).ToArray(), y.Shape.ToArray());
        Approx.Equal(expected.Floats, y.ToArray(), 1e-4, 1e-6, name);
    }

    private static Tensor Resize(OnnxNodeTestData.NodeData node, Dictionary<string, OnnxNodeTestData.TensorData> inputs)
    {
        var a = node.Attributes;
        var x = T(inputs[node.Inputs[0]]);
        int inH = x.Shape[-2], inW = x.Shape[-1];
        // Scales/sizes for the last two axes, in axis order.
        bool swapped = a.TryGetValue("axes", out var ax) && ((long[])ax)[0] == 3;
        string? Present(int k) => node.Inputs.Length > k && node.Inputs[k].Length > 0 && inputs.ContainsKey(node.Inputs[k]) ? node.Inputs[k] : null;
        var options = new ResizeOptions(
            S(a, "mode", "nearest") == "linear" ? ResizeMode.Linear : ResizeMode.Nearest,
            S(a, "coordinate_transformation_mode", "half_pixel") switch
            {
                "half_pixel" => CoordinateTransform.HalfPixel,
                "pytorch_half_pixel" => CoordinateTransform.PytorchHalfPixel,
                "align_corners" => CoordinateTransform.AlignCorners,
                "asymmetric" => CoordinateTransform.Asymmetric,
                "half_pixel_symmetric" => CoordinateTransform.HalfPixelSymmetric,
                var m => throw new NotSupportedException(m),
            },
            S(a, "nearest_mode", "round_prefer_floor") switch
            {
                "round_prefer_floor" => NearestRounding.RoundPreferFloor,
                "round_prefer_ceil" => NearestRounding.RoundPreferCeil,
                "floor" => NearestRounding.Floor,
                "ceil" => NearestRounding.Ceil,
                var m => throw new NotSupportedException(m),
            });
        int outH, outW;
        if (Present(2) is { } sc)
        {
            var s = inputs[sc].Floats;
            float sh = s[^2], sw = s[^1];
            if (swapped) (sh, sw) = (sw, sh);
            outH = (int)Math.Floor(inH * sh);
            outW = (int)Math.Floor(inW * sw);
            options = options with { ScaleH = sh, ScaleW = sw };
        }
        else
        {
            var s = inputs[node.Inputs[3]].Longs;
            outH = (int)s[^2];
            outW = (int)s[^1];
            if (swapped) (outH, outW) = (outW, outH);
            string policy = S(a, "keep_aspect_ratio_policy", "stretch");
            if (policy != "stretch")
            {
                double r = policy == "not_larger" ? Math.Min((double)outH / inH, (double)outW / inW) : Math.Max((double)outH / inH, (double)outW / inW);
                outH = (int)Math.Round(r * inH, MidpointRounding.ToEven);
                outW = (int)Math.Round(r * inW, MidpointRounding.ToEven);
                options = options with { ScaleH = (float)r, ScaleW = (float)r };
            }
        }
        return x.Resize(outH, outW, options);
    }
}
