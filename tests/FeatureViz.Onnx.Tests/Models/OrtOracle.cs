using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>
/// ONNX Runtime as the independent reference. Intermediate tensors are exposed by writing a copy of the model
/// (to a temporary file) that lists them as graph outputs.
/// </summary>
public static class OrtOracle
{
    public static Dictionary<string, float[]> Run(ModelProto model, string inputName, float[] data, int[] dims, IReadOnlyList<string> outputs, int threads = 1)
    {
        var copy = model.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var name in outputs)
            if (!existing.Contains(name))
                copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var path = Path.Combine(Path.GetTempPath(), $"featureviz-ort-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, copy.ToByteArray());
            using var opts = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            using var session = new InferenceSession(path, opts);
            var input = new DenseTensor<float>(data, dims);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)], outputs);
            return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>max |ours - reference| / max |reference|.</summary>
    public static double RelativeMaxError(float[] ours, float[] reference)
    {
        Assert.Equal(reference.Length, ours.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)ours[i] - reference[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)reference[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }
}
