using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// A convolution with a fused activation: act(Conv2d(x, weight, bias)), where act is <paramref name="epilogue"/>'s
    /// activation (<see cref="ConvEpilogue"/>), computed by one backend call (<see cref="IBackend.Conv2dActivation"/>)
    /// instead of a convolution and an elementwise pass. The ONNX importer uses it for Conv (+ folded
    /// BatchNormalization) + activation chains.
    /// </summary>
    /// <remarks>
    /// The gradient is exact: the activation's derivative is read off the output (ReLU: y &gt; 0; LeakyRelu: y &gt;= 0;
    /// HardSigmoid: 0 &lt; y &lt; 1; Clip: min &lt; y &lt; max), which equals the unfused ops' derivative everywhere except,
    /// for Clip only, at a pre-activation exactly equal to a bound (ClipOp passes the gradient there, the fused op
    /// does not: the output cannot tell z = min from z &lt; min). ReLU honours <see cref="GradMode.StraightThroughRelu"/>
    /// as it is when the op runs, like <see cref="Relu"/>.
    /// </remarks>
    public Tensor Conv2dActivation(Tensor weight, Tensor? bias, Conv2dOptions options, ConvEpilogue epilogue)
    {
        if (epilogue.Problem() is { } problem)
            throw new ArgumentException($"Conv2dActivation: {problem} (input {Shape}).", nameof(epilogue));
        var (backend, geo, outShape) = PrepareConv2d("Conv2dActivation", weight, bias, options);
        var x = this;
        var e = epilogue;
        bool straightThrough = GradMode.ReluIsStraightThrough;
        var y = backend.Conv2dActivation(x.Storage, weight.Storage, bias?.Storage, geo, e);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Tensor? result = null;
        result = Record("Conv2dActivation", y, outShape, inputs, (g, needs) =>
        {
            if (e.Activation == ConvActivation.None) return Conv2dVjp(x, weight, bias, geo, g, needs);
            using var dz = Result(ActivationBackward(backend, e, straightThrough, result!.Storage, g.Storage), g.Shape);
            return Conv2dVjp(x, weight, bias, geo, dz, needs);
        });
        return result;
    }

    /// <summary>
    /// dL/dz from the activation's output y and dL/dy, composed from core ops: the unary ops' backward kernels read
    /// y in place of their input where that is exact (ReLU, LeakyRelu with a positive slope), and Clip's with its
    /// bounds moved one ulp inwards, so that it passes exactly where min &lt; y &lt; max.
    /// </summary>
    private static TensorStorage ActivationBackward(IBackend backend, ConvEpilogue e, bool straightThrough, TensorStorage y, TensorStorage dy)
    {
        switch (e.Activation)
        {
            case ConvActivation.Relu:
                return backend.UnaryBackward(new ReluOp(straightThrough), y, y, dy);
            case ConvActivation.LeakyRelu:
                return backend.UnaryBackward(new LeakyReluOp(e.Alpha), y, y, dy);
            case ConvActivation.Clip:
                return backend.UnaryBackward(Inside(e.Alpha, e.Beta), y, y, dy);
            case ConvActivation.HardSigmoid:
                using (var passed = backend.UnaryBackward(Inside(0f, 1f), y, y, dy))
                    return backend.Unary(new AffineScalarOp(e.Alpha, 0f), passed);
            default:
                throw new InvalidOperationException($"Conv2dActivation: unknown activation {(int)e.Activation}.");
        }

        // ClipOp's backward passes for lo <= v <= hi: with the bounds one ulp inside, for min < v < max.
        static ClipOp Inside(float min, float max) => new(MathF.BitIncrement(min), MathF.BitDecrement(max));
    }
}
