using FeatureViz.Cli.IO;
using FeatureViz.Cli.Output;
using FeatureViz.Onnx;
using FeatureViz.Tensors;

namespace FeatureViz.Cli.Commands;

/// <summary>Loading models and input tensors named on the command line.</summary>
internal static class ModelLoading
{
    /// <summary>The model at <paramref name="path"/>, or the bundled ResNet18 when null.</summary>
    public static OnnxModel Load(string? path, OnnxLoadOptions? options = null)
    {
        if (path is null) return OnnxModel.LoadResNet18(options);
        if (!File.Exists(path)) throw new UsageException($"--model: file '{path}' does not exist.");
        return OnnxModel.Load(path, options);
    }

    /// <summary>Parses repeated <c>NAME=FILE.npy</c> values of <c>--input</c> and reads the files.</summary>
    public static Dictionary<string, Tensor> ReadInputs(OnnxModel model, IEnumerable<string> specs)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, file) in ParseInputSpecs(specs))
        {
            if (!model.Inputs.Any(i => i.Name == name))
                throw new UsageException($"--input: the model has no input '{name}' (inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))}).");
            var array = Npy.Read(file);
            result[name] = Tensor.FromArray(model.Backend, array.Data, array.Shape);
        }
        foreach (var input in model.Inputs)
            if (!result.ContainsKey(input.Name))
                throw new UsageException($"--input: missing a value for the model input '{input.Name}' (shape [{string.Join(", ", input.Shape)}]); pass --input {input.Name}=FILE.npy.");
        return result;
    }

    /// <summary>Splits <c>NAME=FILE</c> values at the first '=' (so file paths may contain '=').</summary>
    public static List<(string Name, string File)> ParseInputSpecs(IEnumerable<string> specs)
    {
        var list = new List<(string, string)>();
        foreach (var spec in specs)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0 || eq == spec.Length - 1)
                throw new UsageException($"--input: expected NAME=FILE.npy but got '{spec}'.");
            string file = spec[(eq + 1)..];
            if (!File.Exists(file)) throw new UsageException($"--input: file '{file}' does not exist.");
            list.Add((spec[..eq], file));
        }
        return list;
    }

    /// <summary>A tensor name made file-safe: every character outside [A-Za-z0-9._-] becomes '_'.</summary>
    public static string FileSafe(string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) chars[i] = '_';
        }
        return new string(chars);
    }

    /// <summary>Shape as "[1, 3, 224, 224]".</summary>
    public static string FormatShape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The <c>--model</c> option of the commands that run a model.</summary>
    public static System.CommandLine.Option<string> ModelOption() => new("--model", "-m") { Description = "ONNX model file.", Required = true };

    /// <summary>The repeatable <c>--input NAME=FILE.npy</c> option.</summary>
    public static System.CommandLine.Option<string[]> InputsOption() =>
        new("--input", "-i") { Description = "A model input: NAME=FILE.npy (repeat for each input).", Required = true };

    /// <summary>Writes a tensor to a .npy file (atomically) and returns its shape.</summary>
    public static int[] WriteNpy(string path, Tensor tensor)
    {
        var data = tensor.ToArray();
        var shape = tensor.Shape.ToArray();
        AtomicFile.Write(path, s => Npy.Write(s, data, shape));
        return shape;
    }
}
