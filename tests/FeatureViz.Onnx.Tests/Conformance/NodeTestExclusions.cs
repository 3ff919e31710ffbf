namespace FeatureViz.Onnx.Tests.Conformance;

/// <summary>
/// Node tests whose ops are all registered but which exercise variants outside this project's scope. Each entry
/// is a substring of test directory names (any source) and the reason. Printed by
/// <see cref="NodeConformanceTests{TBackend}.ExclusionList"/> and documented in docs/onnx-conformance.md.
/// </summary>
public static class NodeTestExclusions
{
    public static readonly (string Pattern, string Reason)[] Entries =
    [
        // Integer-only variants: integer tensors exist only for shape arithmetic (host long values); the float
        // kernels are what matter for vision models.
        ("_int8", "integer-only variant (integer data is supported only for shape arithmetic)"),
        ("_int16", "integer-only variant (integer data is supported only for shape arithmetic)"),
        ("_uint8", "integer-only variant (integer data is supported only for shape arithmetic)"),
        ("_uint16", "integer-only variant (integer data is supported only for shape arithmetic)"),
        ("_uint32", "integer-only variant (integer data is supported only for shape arithmetic)"),
        ("_uint64", "integer-only variant (integer data is supported only for shape arithmetic)"),
        // Training-mode BatchNormalization produces running statistics; the importer is inference-only.
        ("test_batchnorm_epsilon_training_mode", "training-mode BatchNormalization (inference only)"),
        ("test_batchnorm_example_training_mode", "training-mode BatchNormalization (inference only)"),
        // 3-D (volumetric) convolution and pooling: the tensor library has 1-D/2-D kernels only.
        ("test_convtranspose_3d", "3-D spatial op (only 1-D and 2-D convolution/pooling are supported)"),
        ("pool_3d", "3-D spatial op (only 1-D and 2-D convolution/pooling are supported)"),
        ("Pool3d", "3-D spatial op (only 1-D and 2-D convolution/pooling are supported)"),
        ("Conv3d", "3-D spatial op (only 1-D and 2-D convolution/pooling are supported)"),
        // MaxPool's second output (argmax indices) is not produced.
        ("maxpool_with_argmax", "MaxPool Indices output is not supported"),
        // Dropout in training mode is random (and its mask output exists only for training).
        ("test_training_dropout", "training-mode Dropout (inference only)"),
        // Strings, sequences and optionals are not tensor types the importer supports.
        ("STRING", "string tensors are not supported"),
        ("test_identity_sequence", "sequence types are not supported"),
        ("test_identity_opt", "optional types are not supported"),
        // bfloat16: ONNX 1.12 test data stores it as uint16 raw bits and the rounding differs; float16 is covered.
        ("BFLOAT16", "bfloat16 test data (stored as uint16) is not supported"),
        // Anti-aliased resize uses a different (scale-dependent) filter support.
        ("_antialias", "Resize antialias=1 is not supported"),
    ];

    public static bool IsExcluded(string id, out string reason)
    {
        var name = id[(id.IndexOf('/') + 1)..];
        foreach (var (p, r) in Entries)
            if (name.Contains(p, StringComparison.Ordinal))
            {
                reason = r;
                return true;
            }
        reason = "";
        return false;
    }
}
