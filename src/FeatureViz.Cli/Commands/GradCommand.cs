using System.CommandLine;
using FeatureViz.Cli.IO;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz grad</c>: the vector-Jacobian product of a tensor with respect to a model input.</summary>
internal static class GradCommand
{
    public static Command Create(CliContext context)
    {
        var model = ModelLoading.ModelOption();
        var inputs = ModelLoading.InputsOption();
        var tensor = new Option<string>("--tensor", "-t") { Description = "The tensor to differentiate (a graph output or any node output).", Required = true };
        var cotangent = new Option<string>("--cotangent") { Description = ".npy file with the cotangent (same shape as the tensor).", Required = true };
        var wrt = new Option<string>("--wrt") { Description = "The model input to differentiate with respect to.", Required = true };
        var outFile = new Option<string>("--out", "-o") { Description = "The .npy file for the gradient (shape of the input).", Required = true };
        var command = new Command("grad",
            """
            Compute the vector-Jacobian product cotangent . d(tensor)/d(input) and write it as a .npy file.

            Example:
              featureviz grad --model m.onnx --input input=x.npy --tensor logits --cotangent ct.npy --wrt input --out g.npy
              featureviz grad --model m.onnx --input input=x.npy --tensor logits --cotangent ct.npy --wrt input --out g.npy --device cuda
            """) { model, inputs, tensor, cotangent, wrt, outFile };
        var device = DeviceOption.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            string path = Output.OutputFolderPaths.RequireFile(parse.GetValue(outFile), "--out");
            var line = device.RunModel(parse, context, parse.GetRequiredValue(model), m =>
            {
                var feeds = ModelLoading.ReadInputs(m, parse.GetRequiredValue(inputs));
                string wrtName = parse.GetRequiredValue(wrt);
                if (!feeds.TryGetValue(wrtName, out var x))
                    throw new UsageException($"--wrt: '{wrtName}' is not one of the model inputs ({string.Join(", ", feeds.Keys)}).");
                x.RequireGrad();
                string name = parse.GetRequiredValue(tensor);
                var y = ModelLoading.Run(m, feeds, [name])[name];
                var c = ModelLoading.ReadNpy("--cotangent", parse.GetRequiredValue(cotangent));
                if (!c.Shape.SequenceEqual(y.Shape.ToArray()))
                    throw new UsageException($"--cotangent: shape {ModelLoading.FormatShape(c.Shape)} differs from the shape of '{name}' {ModelLoading.FormatShape(y.Shape.ToArray())}.");
                var ctTensor = Tensor.FromArray(m.Backend, c.Data, c.Shape);
                var g = Grad.Of(y, [x], ctTensor)[0];
                var shape = ModelLoading.WriteNpy(path, g);
                return $"d({name})/d({wrtName}) {ModelLoading.FormatShape(shape)} -> {path}";
            });
            context.Out.WriteLine(line);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
