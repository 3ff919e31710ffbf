// Activations and normalisations composed from differentiable primitives: Elu, Celu, Selu, Softplus, Softsign,
// ThresholdedRelu, InstanceNormalization, DepthToSpace (DCR/CRD) and SpaceToDepth.
// https://onnx.ai/onnx/operators/ (Elu, Celu, Selu, Softplus, Softsign, InstanceNormalization, DepthToSpace, ...).
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class ExtraActivationHandlers
{
    public static void Register(OpRegistry r)
    {
        // exp(min(x, 0)) keeps the unused branch finite, so its gradient is never 0 * inf.
        r.Add("Elu", 1, c =>
        {
            float alpha = c.Float("alpha", 1f);
            return a => [F(a, a.Tensor(0).Relu().Add(NegPart(a.Tensor(0), 1f).Mul(alpha)))];
        });
        r.Add("Celu", 12, c =>
        {
            float alpha = c.Float("alpha", 1f);
            return a => [F(a, a.Tensor(0).Relu().Add(NegPart(a.Tensor(0), 1f / alpha).Mul(alpha)))];
        });
        r.Add("Selu", 1, c =>
        {
            float alpha = c.Float("alpha", 1.67326319217681884765625f), gamma = c.Float("gamma", 1.05070102214813232421875f);
            return a => [F(a, a.Tensor(0).Relu().Add(NegPart(a.Tensor(0), 1f).Mul(alpha)).Mul(gamma))];
        });
        r.Add("Softplus", 1, a =>
        {
            var x = a.Tensor(0);
            // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
            return [F(a, x.Relu().Add(x.Abs().Neg().Exp().Add(1f).Log()))];
        });
        r.Add("Softsign", 1, a => [F(a, a.Tensor(0).Div(a.Tensor(0).Abs().Add(1f)))]);
        r.Add("ThresholdedRelu", 10, c =>
        {
            float alpha = c.Float("alpha", 1f);
            return a =>
            {
                var x = a.Tensor(0);
                Tensor mask;
                using (FeatureViz.Tensors.Autograd.GradMode.NoGrad()) mask = x.Greater(Tensor.Scalar(a.Backend, alpha));
                return [F(a, x.Mul(mask))];
            };
        });
        r.Add("InstanceNormalization", 1, c =>
        {
            float eps = c.Float("epsilon", 1e-5f);
            return a =>
            {
                var x = a.Tensor(0);
                if (x.Rank < 3) throw a.Fail($"input {x.Shape} needs rank 3 or more");
                var axes = Enumerable.Range(2, x.Rank - 2).ToArray();
                var pd = Enumerable.Repeat(1, x.Rank).ToArray();
                pd[1] = x.Shape[1];
                var d = x.Sub(x.Mean(axes, keepDims: true));
                var y = d.Div(d.Mul(d).Mean(axes, keepDims: true).Add(eps).Sqrt());
                return [F(a, y.Mul(a.Tensor(1).Reshape(pd)).Add(a.Tensor(2).Reshape(pd)))];
            };
        });
        r.Add("DepthToSpace", 1, c =>
        {
            long bs = c.IntOrNull("blocksize") ?? throw c.Fail("attribute blocksize is required");
            bool crd = c.Opset >= 11 && c.StringIn("mode", "DCR", "DCR", "CRD") == "CRD";
            return a =>
            {
                var x = a.Tensor(0);
                if (x.Rank != 4) throw a.Fail($"input {x.Shape} must be 4-D");
                int n = x.Shape[0], ch = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
                if (bs <= 0 || bs > ch || bs * bs > ch || ch % (bs * bs) != 0) throw a.Fail($"attribute blocksize={bs}: the {ch} channels of input {x.Shape} are not divisible by blocksize^2");
                int b = (int)bs;
                var y = crd
                    ? x.Reshape(n, ch / (b * b), b, b, h, w).Transpose(0, 1, 4, 2, 5, 3)
                    : x.Reshape(n, b, b, ch / (b * b), h, w).Transpose(0, 3, 4, 1, 5, 2);
                return [F(a, y.Reshape(n, ch / (b * b), h * b, w * b))];
            };
        });
        r.Add("SpaceToDepth", 1, c =>
        {
            long bs = c.IntOrNull("blocksize") ?? throw c.Fail("attribute blocksize is required");
            return a =>
            {
                var x = a.Tensor(0);
                if (x.Rank != 4) throw a.Fail($"input {x.Shape} must be 4-D");
                int n = x.Shape[0], ch = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
                if (bs <= 0 || bs > Math.Max(h, w) || h % bs != 0 || w % bs != 0) throw a.Fail($"attribute blocksize={bs}: the spatial size {h}x{w} of input {x.Shape} is not divisible by it");
                int b = (int)bs;
                var y = x.Reshape(n, ch, h / b, b, w / b, b).Transpose(0, 3, 5, 1, 2, 4);
                return [F(a, y.Reshape(n, ch * b * b, h / b, w / b))];
            };
        });
    }

    private static Graph.TensorValue F(Args a, Tensor t) => ElementwiseHandlers.Float(a, 0, t);

    /// <summary>exp(min(x, 0) * k) - 1: the negative branch of ELU-style activations.</summary>
    private static Tensor NegPart(Tensor x, float k) => x.Minimum(Tensor.Scalar(x.Backend, 0f)).Mul(k).Exp().Add(-1f);
}
