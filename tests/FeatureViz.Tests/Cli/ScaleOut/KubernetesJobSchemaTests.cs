using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FeatureViz.TestSupport;
using YamlDotNet.RepresentationModel;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>
/// docs/examples/scale-out/job.yaml (the file docs/scale-out.md includes and users copy) against the Kubernetes
/// batch/v1 Job JSON schema kept in Schemas/ (source and version in Schemas/README.md), and against the tool: an
/// Indexed Job whose --shards equals its completions, with a GPU, a shared volume and per-index retries.
/// </summary>
public class KubernetesJobSchemaTests
{
    private static string Root => SharedData.RepoRoot ?? throw new InvalidOperationException("the repository root (FeatureViz.sln) is not above the test binaries");

    private static string ExamplePath => Path.Combine(Root, "docs", "examples", "scale-out", "job.yaml");

    private static async Task<NJsonSchema.JsonSchema> Schema() =>
        await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(Root, "tests", "FeatureViz.Tests", "Cli", "ScaleOut", "Schemas", "job-batch-v1.json"));

    [Fact]
    public async Task TheExampleJobIsAValidBatchV1Job()
    {
        var job = YamlJson.Read(File.ReadAllText(ExamplePath));
        var errors = (await Schema()).Validate(job.ToJsonString());
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("completions: 16 ", "completions: sixteen ")]          // a number as text
    [InlineData("completionMode: Indexed", "completionMode: Indexed\n  completionsMode: Indexed")] // a misspelt field
    [InlineData("claimName: featureviz-atlas", "claimNam: featureviz-atlas")]
    public async Task TheSchemaRejectsBrokenVariantsOfTheExample(string from, string to)
    {
        string yaml = File.ReadAllText(ExamplePath);
        Assert.Contains(from, yaml);
        var errors = (await Schema()).Validate(YamlJson.Read(yaml.Replace(from, to, StringComparison.Ordinal)).ToJsonString());
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void TheExampleRunsOneShardPerIndexWithAGpuAndASharedVolume()
    {
        var job = YamlJson.Read(File.ReadAllText(ExamplePath));
        var spec = job["spec"]!;
        Assert.Equal("Indexed", (string?)spec["completionMode"]);
        long completions = (long)spec["completions"]!;
        Assert.True((long)spec["parallelism"]! <= completions);
        Assert.True((long)spec["backoffLimitPerIndex"]! >= 1);
        var pod = spec["template"]!["spec"]!;
        Assert.Equal("Never", (string?)pod["restartPolicy"]); // backoffLimitPerIndex requires it
        var container = pod["containers"]![0]!;
        var command = container["command"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Equal(["featureviz", "run-shard"], command.Take(2));
        // No --shard: the index comes from JOB_COMPLETION_INDEX, and the count must be the Job's.
        Assert.DoesNotContain("--shard", command);
        Assert.Equal(completions.ToString(CultureInfo.InvariantCulture), command[command.IndexOf("--shards") + 1]);
        string planDir = command[command.IndexOf("--plan") + 1];
        Assert.Equal(1L, (long)container["resources"]!["limits"]!["nvidia.com/gpu"]!);
        var mount = container["volumeMounts"]!.AsArray().Single(m => planDir.StartsWith((string)m!["mountPath"]!, StringComparison.Ordinal))!;
        var volume = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)mount["name"])!;
        Assert.NotNull(volume["persistentVolumeClaim"]?["claimName"]);
    }
}

/// <summary>
/// YAML to JSON for manifests: mappings, sequences and scalars, plain scalars typed by the YAML 1.2 core schema
/// (null, booleans, integers, floats), quoted ones always strings (as Kubernetes reads them).
/// </summary>
internal static partial class YamlJson
{
    public static JsonNode Read(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents.Single().RootNode)!;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode s when s.Style is YamlDotNet.Core.ScalarStyle.Plain => Plain(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonNode? Plain(string v)
    {
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (Integer().IsMatch(v)) return JsonValue.Create(long.Parse(v, CultureInfo.InvariantCulture));
        if (Float().IsMatch(v)) return JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture));
        return JsonValue.Create(v);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
