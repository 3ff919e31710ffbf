using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Parametrization;

/// <summary>
/// How the optimization session turns its single learned parameter tensor into images: Fourier or pixels
/// (<see cref="ImageParametrization"/>) or a CPPN (<see cref="CppnParametrization"/>). The session only knows this
/// interface: one parameter tensor, one optimizer state, whatever the parametrization packs into it.
/// </summary>
internal interface IImageParametrization : IDisposable
{
    /// <summary>Shape of the learned parameter.</summary>
    int[] ParameterShape { get; }

    /// <summary>The initial parameter (<paramref name="std"/> is the options' Std, which a parametrization with its own initialisation may ignore).</summary>
    Tensor Initial(IBackend backend, Random random, float std);

    /// <summary>The image [N, C, H, W] before <see cref="Finish"/>, differentiable w.r.t. <paramref name="parameter"/>.</summary>
    Tensor Spatial(Tensor parameter);

    /// <summary>From <see cref="Spatial"/> to the image in the value range.</summary>
    Tensor Finish(Tensor x);

    /// <summary>True when <see cref="Finish"/> treats every pixel on its own, so it may run after a crop.</summary>
    bool FinishIsPointwise { get; }

    /// <summary>The image [N, C, H, W] in the value range.</summary>
    Tensor Render(Tensor parameter);
}
