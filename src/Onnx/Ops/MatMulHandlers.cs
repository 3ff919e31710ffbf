// MatMul (NumPy semantics, batched/broadcast) and Gemm (alpha * A' * B' + beta * C; C optional from opset 11;
// the pre-7 broadcast attribute). https://onnx.ai/onnx/operators/onnx__MatMul.html, ...Gemm.html
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class MatMulHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("MatMul", 1, a => [ElementwiseHandlers.Float(a, 0, a.Tensor(0).MatMul(a.Tensor(1)))]);
        r.Add("Gemm", 1, c =>
        {
            float alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
            bool ta = c.Int("transA", 0) != 0, tb = c.Int("transB", 0) != 0;
            if (c.Opset < 7) c.Int("broadcast", 0);
            var opt = new GemmOptions(alpha, beta, ta, tb);
            return a =>
            {
                var x = a.Tensor(0);
                var w = a.Tensor(1);
                if (x.Rank != 2 || w.Rank != 2) throw a.Fail($"A {x.Shape} and B {w.Shape} must be 2-D");
                return [ElementwiseHandlers.Float(a, 0, Tensor.Gemm(x, w, a.TensorOrNull(2), opt))];
            };
        });
    }
}
