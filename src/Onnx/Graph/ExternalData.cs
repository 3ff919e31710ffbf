using FeatureViz.Tensors.IO;
using Onnx;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Reads a TensorProto's external data: a regular file whose real path (every symbolic link on the way resolved) lies
/// inside the model's real directory, at an offset and length that fit in the file.
/// </summary>
internal static class ExternalData
{
    /// <summary>The <paramref name="expectedBytes"/> bytes of <paramref name="t"/>'s external data; <paramref name="what"/> names the tensor in errors.</summary>
    public static byte[] Read(TensorProto t, string? modelDirectory, string what, long expectedBytes)
    {
        if (modelDirectory is null)
            throw new OnnxImportException($"{what}: uses external data, which needs a model loaded from a file (there is no directory to read it from).");
        string? location = null;
        long offset = 0, length = -1;
        foreach (var kv in t.ExternalData)
        {
            switch (kv.Key)
            {
                case "location": location = kv.Value; break;
                case "offset": if (!long.TryParse(kv.Value, out offset) || offset < 0) throw new OnnxImportException($"{what}: bad external data offset '{kv.Value}'."); break;
                case "length": if (!long.TryParse(kv.Value, out length) || length < 0) throw new OnnxImportException($"{what}: bad external data length '{kv.Value}'."); break;
                case "checksum": break;
                default: throw new OnnxImportException($"{what}: unknown external data key '{kv.Key}'.");
            }
        }
        if (string.IsNullOrEmpty(location)) throw new OnnxImportException($"{what}: external data without a location.");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains("..") || location.Contains('\0'))
            throw new OnnxImportException($"{what}: external data location '{location}' must be a relative path inside the model's directory.");
        if (length >= 0 && length != expectedBytes)
            throw new OnnxImportException($"{what}: external data length {length} does not match the {expectedBytes} bytes the dims need.");

        string file;
        try
        {
            // Real paths on both sides: a link (to a file, or a folder on the way) must not lead out of the directory.
            string dir = UserFile.RealPath(modelDirectory);
            file = UserFile.RealPath(Path.Combine(dir, location));
            if (!UserFile.IsInside(file, dir))
                throw new OnnxImportException($"{what}: external data location '{location}' leads out of the model's directory (to '{file}').");
        }
        catch (IOException e)
        {
            throw new OnnxImportException($"{what}: external data location '{location}': {e.Message}", e);
        }
        if (expectedBytes == 0)
        {
            if (!File.Exists(file)) throw new OnnxImportException($"{what}: external data file '{location}' does not exist.");
            return [];
        }
        try
        {
            using var fs = UserFile.OpenRead(file, long.MaxValue, $"{what}: external data file");
            long size = fs.Length;
            if (offset > size || expectedBytes > size - offset)
                throw new OnnxImportException($"{what}: external data file '{location}' has {size} bytes; offset {offset} + {expectedBytes} bytes needed.");
            var buf = new byte[expectedBytes];
            fs.Seek(offset, SeekOrigin.Begin);
            fs.ReadExactly(buf);
            return buf;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxImportException(e is FileNotFoundException ? $"{what}: external data file '{location}' does not exist." : e.Message, e);
        }
    }
}
