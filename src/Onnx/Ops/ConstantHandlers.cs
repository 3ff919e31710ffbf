// Constant, ConstantOfShape, Cast/CastLike, Identity, Dropout (inference: identity) and Range (shape arithmetic).
// https://onnx.ai/onnx/operators/onnx__Constant.html, ...ConstantOfShape, ...Cast, ...Range.
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class ConstantHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("Constant", 1, Constant);
        r.Add("ConstantOfShape", 9, c =>
        {
            var t = c.TensorAttr("value");
            Value? fill = t is null ? null : TensorProtoReader.Read(t, c.Backend, null, 1, $"Node '{c.NodeName}' attribute value");
            return a =>
            {
                var shape = a.Longs(0);
                var dims = shape.Select(v => v is < 0 or > int.MaxValue ? throw a.Fail($"shape value {v} is invalid") : (int)v).ToArray();
                int n = fill is HostValue ? HostMath.CheckedCount("ConstantOfShape", shape) : TensorLimits.OutputShape("ConstantOfShape", shape, "input").Numel;
                return fill switch
                {
                    null => [new TensorValue(Tensor.Zeros(a.Backend, dims))],
                    TensorValue tv => [new TensorValue(Tensor.Full(a.Backend, tv.Host is var f && f.Length == 1 ? f[0] : throw a.Fail("value must hold one element"), dims), tv.Type)],
                    HostValue hv => [new HostValue(hv.Type, dims, Enumerable.Repeat(hv.Data.Length == 1 ? hv.Data[0] : throw a.Fail("value must hold one element"), n).ToArray())],
                    _ => throw a.Fail("unsupported value"),
                };
            };
        });
        r.Add("Identity", 1, a => [Copy(a, 0)]);
        r.Add("Dropout", 1, c =>
        {
            // Inference: the output is the input; ratio and the training flags do not matter.
            c.Ignore("ratio", "is_test", "seed", "consumed_inputs");
            return a =>
            {
                if (a.Has(2) && a.Longs(2) is [not 0]) throw a.Fail("training_mode=true is not supported (inference only)");
                // The mask keeps every element at inference.
                var d = a.Dims(0);
                return [Copy(a, 0), new HostValue(ElemType.Bool, d, Enumerable.Repeat(1L, d.Aggregate(1, (p, q) => p * q)).ToArray())];
            };
        });
        r.Add("Cast", 1, c =>
        {
            var to = c.Opset < 6 ? ParseTypeName(c, c.String("to", "")) : (ElemType)c.Int("to", 0);
            if (c.Opset >= 19) c.IntIn("saturate", 1, 0, 1);
            if (c.Opset >= 21) c.StringIn("round_mode", "up", "up");
            if (!ElemTypes.IsSupported(to)) throw c.Fail($"cast to {to} is not supported");
            return a => [Cast(a, a.Value(0), to)];
        });
        r.Add("CastLike", 15, c =>
        {
            if (c.Opset >= 19) c.IntIn("saturate", 1, 0, 1);
            if (c.Opset >= 21) c.StringIn("round_mode", "up", "up");
            return a => [Cast(a, a.Value(0), a.Value(1).Type)];
        });
        r.Add("Range", 11, a =>
        {
            if (a.Value(0) is HostValue && a.Value(1) is HostValue && a.Value(2) is HostValue)
            {
                long s = a.Longs(0)[0], l = a.Longs(1)[0], d = a.Longs(2)[0];
                if (d == 0) throw a.Fail("delta must not be 0");
                // Int128: start, limit and delta may be any int64 values.
                var span = (Int128)l - s + d - (d > 0 ? 1 : -1);
                long n = (long)Int128.Clamp(span / d, 0, long.MaxValue);
                HostMath.CheckedCount("Range", [n]);
                return [new HostValue(a.Value(0).Type, [(int)n], Enumerable.Range(0, (int)n).Select(i => s + i * d).ToArray())];
            }
            double fs = a.Floats(0)[0], fl = a.Floats(1)[0], fd = a.Floats(2)[0];
            if (fd == 0) throw a.Fail("delta must not be 0");
            double count = Math.Max(0, Math.Ceiling((fl - fs) / fd));
            if (!(count <= long.MaxValue)) throw a.Fail($"Range: start {fs}, limit {fl} and delta {fd} give {count} elements");
            TensorLimits.OutputShape("Range", [(long)count], "limit", $"start {fs}, limit {fl}, delta {fd}");
            var v = Enumerable.Range(0, (int)count).Select(i => (float)(fs + i * fd)).ToArray();
            return [new TensorValue(Tensor.FromArray(a.Backend, v, v.Length), a.Value(0).Type)];
        });
    }

    private static Value Copy(Args a, int i) => a.Value(i) switch
    {
        TensorValue t => new TensorValue(t.Tensor.Reshape(t.Tensor.Shape.ToArray()), t.Type),
        var v => v,
    };

    private static ElemType ParseTypeName(NodeContext c, string name) => name.ToUpperInvariant() switch
    {
        "FLOAT" => ElemType.Float, "DOUBLE" => ElemType.Double, "FLOAT16" => ElemType.Float16, "INT64" => ElemType.Int64,
        "INT32" => ElemType.Int32, "INT16" => ElemType.Int16, "INT8" => ElemType.Int8, "UINT8" => ElemType.UInt8,
        "UINT16" => ElemType.UInt16, "UINT32" => ElemType.UInt32, "UINT64" => ElemType.UInt64, "BOOL" => ElemType.Bool,
        _ => throw c.Fail($"cast to '{name}' is not supported"),
    };

    public static Value Cast(Args a, Value v, ElemType to)
    {
        if (ElemTypes.IsFloating(to))
        {
            if (v is TensorValue t)
            {
                if (to == ElemType.Float16 || to == ElemType.BFloat16)
                {
                    // Round to the narrower type so results match a runtime that stores it; on the backend, and
                    // differentiable (the gradient passes through, as a cast's does).
                    return new TensorValue(t.Tensor.Map(new NarrowFloatOp(to == ElemType.BFloat16)), to);
                }
                return new TensorValue(t.Tensor, to);
            }
            return new TensorValue(((HostValue)v).ToTensor(a.Backend), to);
        }
        if (v is HostValue h) return new HostValue(to, h.Dims, h.Data.Select(x => HostMath.Wrap(x, to)).ToArray());
        var data = ((TensorValue)v).Host;
        var l = new long[data.Length];
        for (int i = 0; i < l.Length; i++)
            l[i] = to == ElemType.Bool ? (data[i] != 0 ? 1 : 0) : float.IsNaN(data[i]) ? 0 : HostMath.Wrap((long)Math.Clamp((double)data[i], long.MinValue, long.MaxValue), to);
        return new HostValue(to, v.Dims, l);
    }

    private static Kernel Constant(NodeContext c)
    {
        var t = c.TensorAttr("value");
        var f = c.Opset >= 12 ? c.FloatOrNull("value_float") : null;
        var fs = c.Opset >= 12 ? c.Floats("value_floats") : null;
        var i = c.Opset >= 12 ? c.IntOrNull("value_int") : null;
        var ints = c.Opset >= 12 ? c.Ints("value_ints") : null;
        if (c.Has("sparse_value") || c.Has("value_string") || c.Has("value_strings"))
            throw c.Fail("sparse and string constants are not supported");
        Value v;
        if (t is not null) v = TensorProtoReader.Read(t, c.Backend, null, c.MaxElements, $"Node '{c.NodeName}' attribute value");
        else if (f is float fv) v = new TensorValue(Tensor.Scalar(c.Backend, fv));
        else if (fs is not null) v = new TensorValue(Tensor.FromArray(c.Backend, fs, fs.Length));
        else if (i is long iv) v = HostValue.Scalar(iv);
        else if (ints is not null) v = HostValue.Vector(ints);
        else throw c.Fail("no value attribute");
        return _ => [v];
    }
}
