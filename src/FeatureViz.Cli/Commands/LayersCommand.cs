using System.CommandLine;
using System.Text.Json;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz layers</c>: the table of addressable layers of a model.</summary>
internal static class LayersCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model", "-m") { Description = "ONNX model file (default: the bundled ImageNet ResNet18)." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of the table." };
        var command = new Command("layers",
            """
            List every layer (node output) of a model: index, node name, output name, op type and shape.
            Objectives name a layer by its node name, output name or index.

            Examples:
              featureviz layers
              featureviz layers --model mnist-8.onnx --json
            """) { model, json };
        command.SetAction((parse, ct) =>
        {
            using var m = ModelLoading.Load(parse.GetValue(model));
            var layers = m.Layers;
            var o = context.Out;
            if (parse.GetValue(json))
            {
                var rows = layers.Select(l => new { index = l.Index, node = l.NodeName, output = l.OutputName, op = l.OpType, shape = l.Shape });
                o.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return Task.FromResult(ExitCodes.Ok);
            }
            string[] header = ["INDEX", "NODE", "OUTPUT", "OP", "SHAPE"];
            var table = layers.Select(l => new[] { l.Index.ToString(), Cell(l.NodeName), Cell(l.OutputName), l.OpType, ModelLoading.FormatShape(l.Shape) }).ToList();
            var widths = header.Select((h, i) => Math.Max(h.Length, table.Count == 0 ? 0 : table.Max(r => r[i].Length))).ToArray();
            o.WriteLine(Row(header, widths));
            foreach (var r in table) o.WriteLine(Row(r, widths));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static string Cell(string s) => s.Length == 0 ? "-" : s;

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
