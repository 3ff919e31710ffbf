using FeatureViz.Cli.IO;
using FeatureViz.Cli.Output;
using FeatureViz.Onnx;
using FeatureViz.Tensors;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.Commands;

/// <summary>Loading models and input tensors named on the command line.</summary>
internal static class ModelLoading
{
    /// <summary>The model at <paramref name="path"/>, or the bundled ResNet18 when null.</summary>
    public static OnnxModel Load(string? path, OnnxLoadOptions? options = null)
    {
        if (path is null) return OnnxModel.LoadResNet18(options);
        CheckModel(path);
        return OnnxModel.Load(path, options);
    }

    /// <summary>
    /// Checks the <c>--model</c> file (a regular file within <see cref="OnnxModel.MaxModelBytes"/>: not a folder,
    /// device or FIFO) before anything reads it; null (the bundled model) passes.
    /// </summary>
    public static void CheckModel(string? path)
    {
        if (path is not null) CheckFile("--model", path, OnnxModel.MaxModelBytes, "model file");
    }

    /// <summary>Parses repeated <c>NAME=FILE.npy</c> values of <c>--input</c> and reads the files.</summary>
    public static Dictionary<string, Tensor> ReadInputs(OnnxModel model, IEnumerable<string> specs)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, file) in ParseInputSpecs(specs))
        {
            if (!model.Inputs.Any(i => i.Name == name))
                throw new UsageException($"--input: the model has no input '{name}' (inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))}).");
            if (result.ContainsKey(name)) throw new UsageException($"--input: '{name}' is given more than once.");
            var array = ReadNpy("--input", file);
            if (model.Inputs.First(i => i.Name == name).ShapeMismatch(array.Shape) is { } why)
                throw new UsageException($"--input: {why} (file '{file}').");
            result[name] = Tensor.FromArray(model.Backend, array.Data, array.Shape);
        }
        foreach (var input in model.Inputs)
            if (!result.ContainsKey(input.Name))
                throw new UsageException($"--input: missing a value for the model input '{input.Name}' (shape [{string.Join(", ", input.Shape)}]); pass --input {input.Name}=FILE.npy.");
        return result;
    }

    /// <summary>Reads the .npy file an option names; a malformed file is a <see cref="UsageException"/> naming the option.</summary>
    public static NpyArray ReadNpy(string option, string path)
    {
        CheckFile(option, path, Npy.DefaultMaxBytes, ".npy file");
        try
        {
            return Npy.Read(path);
        }
        catch (NpyFormatException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>
    /// Runs the model; a requested tensor the model does not have is a <see cref="UsageException"/> naming
    /// <c>--tensor</c> (with the library's suggestions).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Run(OnnxModel model, IReadOnlyDictionary<string, Tensor> feeds, IEnumerable<string>? tensors)
    {
        try
        {
            return model.Run(feeds, tensors);
        }
        catch (ArgumentException e) when (e.ParamName == "outputs")
        {
            throw new UsageException($"--tensor: {CliErrors.OneLine(e)}");
        }
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
            list.Add((spec[..eq], file));
        }
        return list;
    }

    /// <summary>
    /// Checks that the file an option names is a regular file within <paramref name="maxBytes"/> (not a folder, device
    /// or FIFO); otherwise a <see cref="UsageException"/> naming <paramref name="option"/>.
    /// </summary>
    public static void CheckFile(string option, string path, long maxBytes, string what)
    {
        if (string.IsNullOrEmpty(path)) throw new UsageException($"{option}: expected a file path, got an empty string.");
        try
        {
            UserFile.Check(path, maxBytes, what);
        }
        catch (FileNotFoundException)
        {
            throw new UsageException($"{option}: file '{path}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>
    /// One file name per tensor (without extension), in the order given, duplicates dropped, unique even where file systems ignore case:
    /// <see cref="FileSafe"/> of the name, with "_2", "_3", ... appended on a collision. Names that are file-safe
    /// already keep their own file name; the others are numbered in order.
    /// </summary>
    public static IReadOnlyList<(string Name, string File)> UniqueFileNames(IEnumerable<string> names)
    {
        var list = names.Distinct(StringComparer.Ordinal).ToList();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in list)
            if (FileSafe(n) == n && n.Length <= MaxStemLength && taken.Add(n)) result[n] = n;
        foreach (var n in list.Where(n => !result.ContainsKey(n)))
        {
            string stem = FileSafe(n);
            if (stem.Length > MaxStemLength) stem = stem[..MaxStemLength];
            string candidate = stem;
            for (int k = 2; !taken.Add(candidate); k++) candidate = $"{stem}_{k}";
            result[n] = candidate;
        }
        return list.Select(n => (n, result[n])).ToList();
    }

    /// <summary>File names stay well under the usual 255-byte limit, with room for a suffix and ".npy".</summary>
    private const int MaxStemLength = 200;

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
