using System.Text;

namespace FeatureViz.GpuCheck;

/// <summary>Writes everything to two writers (the console and the log file).</summary>
public sealed class TeeWriter(TextWriter a, TextWriter b) : TextWriter
{
    /// <inheritdoc/>
    public override Encoding Encoding => a.Encoding;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        a.Write(value);
        b.Write(value);
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        a.Write(value);
        b.Write(value);
    }

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        a.WriteLine(value);
        b.WriteLine(value);
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        a.Flush();
        b.Flush();
    }
}
