using System.CommandLine;
using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Cli.Commands;

/// <summary><c>featureviz merge</c>: the combined gallery of a plan folder, and what is missing or failed.</summary>
internal static class MergeCommand
{
    public static Command Create(CliContext context)
    {
        var dir = new Argument<string>("DIR") { Description = "The plan folder." };
        var command = new Command("merge",
            """
            Build the combined gallery of a plan folder: DIR/gallery/index.html (an overview of the layers) and
            DIR/gallery/LAYER/index.html with the images of each layer. Reports missing and failed items and exits 1
            while any are missing or failed (the gallery then shows what is done); 0 when every item is done.
            The gallery is built beside the old one and renamed into place: never a mix of two merges. A second merge
            while one runs fails at once (exit 1) naming the other's pid.

            Examples:
              featureviz merge atlas
            """) { dir };
        command.SetAction((parse, ct) =>
        {
            string folder = parse.GetRequiredValue(dir);
            var plan = WorkPlan.Read(folder);
            var result = GalleryMerge.Run(folder, plan);
            var o = context.Out;
            o.WriteLine($"{result.Done} of {result.Items.Count} item(s) done; gallery: {Path.Combine(result.Gallery, "index.html")}");
            var missing = result.Missing.ToList();
            var failed = result.Failed.ToList();
            if (result.Complete) return Task.FromResult(ExitCodes.Ok);
            foreach (var s in failed.Take(50))
                context.Err.WriteLine($"failed: {s.Item.Label}: {s.Error}");
            foreach (var s in missing.Take(50))
                context.Err.WriteLine($"missing: {s.Item.Label}");
            context.Err.WriteLine($"error: the gallery is incomplete: {missing.Count} item(s) missing, {failed.Count} failed; run the shards again (finished items are skipped), then merge again.");
            return Task.FromResult(ExitCodes.Error);
        });
        return command;
    }
}
