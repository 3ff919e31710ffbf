using FeatureViz.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks the run to stop after the current step and write what exists; a second one kills.
    if (cts.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("Stopping after the current step (Ctrl+C again to abort)...");
    cts.Cancel();
};
return await Cli.RunAsync(args, Console.Out, Console.Error, cts.Token, interactive: !Console.IsOutputRedirected);
