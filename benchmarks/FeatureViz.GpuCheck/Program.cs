using FeatureViz.GpuCheck;

GpuCheckOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(GpuCheckOptions.Usage);
        return 0;
    }
    options = GpuCheckOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"FeatureViz.GpuCheck: {e.Message}");
    Console.Error.WriteLine(GpuCheckOptions.Usage);
    return 2;
}

try
{
    var report = GpuCheckRunner.Run(options, Console.Out);
    return report.CorrectnessPassed ? 0 : 1;
}
catch (ArgumentException e)
{
    // GpuAccelerator.Create: no such device (the message lists the devices found).
    string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");
    Console.Error.WriteLine($"FeatureViz.GpuCheck: {message}");
    return 2;
}
