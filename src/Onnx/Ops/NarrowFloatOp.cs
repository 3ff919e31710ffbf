using FeatureViz.Tensors.Ops;

namespace FeatureViz.Onnx.Ops;

/// <summary>Rounds float32 to float16 (or truncates to bfloat16, as the ONNX reference does) and back; gradient passes through.</summary>
internal readonly struct NarrowFloatOp(bool bfloat16) : IUnaryOp
{
    public string Name => bfloat16 ? "CastBFloat16" : "CastFloat16";

    public float Forward(float x) => bfloat16
        ? BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) & unchecked((int)0xFFFF0000))
        : (float)(Half)x;

    public float Backward(float x, float y, float dy) => dy;
}
