namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Permutes dimensions (ONNX Transpose; null reverses them).</summary>
    public Tensor Transpose(params int[]? perm) => throw new NotImplementedException("Transpose: pending");

    /// <summary>ONNX Slice: per-axis starts/ends (clamped, negative counts from the end), optional axes and steps (negative steps walk backwards).</summary>
    public Tensor Slice(long[] starts, long[] ends, int[]? axes = null, long[]? steps = null) => throw new NotImplementedException("Slice: pending");

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis) => throw new NotImplementedException("Concat: pending");

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes (which must add up to the dimension).</summary>
    public Tensor[] Split(int axis, int[] sizes) => throw new NotImplementedException("Split: pending");

    /// <summary>ONNX Pad: <paramref name="pads"/> is [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}]; negative pads crop.</summary>
    public Tensor Pad(int[] pads, PadMode mode = PadMode.Constant, float value = 0f) => throw new NotImplementedException("Pad: pending");

    /// <summary>ONNX Gather along <paramref name="axis"/> with host indices of shape <paramref name="indicesShape"/> (negative indices count from the end).</summary>
    public Tensor Gather(int[] indices, int[] indicesShape, int axis = 0) => throw new NotImplementedException("Gather: pending");

    /// <summary>ONNX Expand: bidirectional broadcast to <paramref name="dims"/>.</summary>
    public Tensor Expand(params int[] dims) => throw new NotImplementedException("Expand: pending");

    /// <summary>ONNX Tile: repeats each dimension.</summary>
    public Tensor Tile(params int[] repeats) => throw new NotImplementedException("Tile: pending");

    /// <summary>Removes the given size-1 axes (all size-1 axes when empty).</summary>
    public Tensor Squeeze(params int[] axes) => throw new NotImplementedException("Squeeze: pending");

    /// <summary>Inserts size-1 axes at the given positions of the output (ONNX Unsqueeze).</summary>
    public Tensor Unsqueeze(params int[] axes) => throw new NotImplementedException("Unsqueeze: pending");

    /// <summary>ONNX Flatten: 2-D [prod(dims[..axis]), prod(dims[axis..])].</summary>
    public Tensor Flatten(int axis = 1) => throw new NotImplementedException("Flatten: pending");
}

/// <summary>How <see cref="Tensor.Pad"/> fills new elements.</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge (numpy "reflect").</summary>
    Reflect,
    /// <summary>Repeat the edge value.</summary>
    Edge,
}
