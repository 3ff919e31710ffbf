using System.CommandLine;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz eval</c>: runs a model on .npy inputs and writes the requested tensors as .npy files.</summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var model = ModelLoading.ModelOption();
        var inputs = ModelLoading.InputsOption();
        var outputDir = new Option<string>("--output-dir", "-o") { Description = "Folder for the .npy results.", Required = true };
        var tensors = new Option<string[]>("--tensor", "-t") { Description = "A tensor to write (repeatable; default: the graph outputs)." };
        var command = new Command("eval",
            """
            Run a model and write each requested tensor to DIR/<name>.npy (float32, C order), where <name> is the tensor
            name with every character outside [A-Za-z0-9._-] replaced by '_'. Names that collide (a/b and a:b, or names
            differing only in case) get a suffix: a_b.npy, a_b_2.npy. Each line printed maps a tensor to its file.
            Each input must have the model's declared shape (symbolic dims take any size).

            Examples:
              featureviz eval --model mnist-8.onnx --input Input3=x.npy --output-dir out
              featureviz eval --model m.onnx --input input=x.npy --tensor conv1_out --tensor logits --output-dir out
              featureviz eval --model m.onnx --input input=x.npy --output-dir out --device cuda
            """) { model, inputs, outputDir, tensors };
        var device = DeviceOption.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            string dir = Output.OutputFolderPaths.RequireFolder(parse.GetValue(outputDir), "--output-dir");
            var written = device.RunModel(parse, context, parse.GetRequiredValue(model), m =>
            {
                var feeds = ModelLoading.ReadInputs(m, parse.GetRequiredValue(inputs));
                var wanted = parse.GetValue(tensors) is { Length: > 0 } t ? t : null;
                IReadOnlyDictionary<string, Tensors.Tensor> results;
                using (GradMode.NoGrad()) results = ModelLoading.Run(m, feeds, wanted);
                var lines = new List<string>();
                foreach (var (name, file) in ModelLoading.UniqueFileNames(wanted ?? m.Outputs))
                {
                    string path = Path.Combine(dir, file + ".npy");
                    var shape = ModelLoading.WriteNpy(path, results[name]);
                    lines.Add($"{name} {ModelLoading.FormatShape(shape)} -> {path}");
                }
                return lines;
            });
            foreach (var line in written) context.Out.WriteLine(line);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
