using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Optimizers;
using FeatureViz.Regularizers;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Ops;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Users extend optimizers, learning-rate schedules, regularizers and transforms by subclassing their public base
/// types or by passing functions; the built-in ones are built on the same types.
/// </summary>
public class OpenTypesTests
{
    /// <summary>A user regularizer: <c>factor * mean(x)</c> per image (penalises brightness).</summary>
    private sealed class MeanRegularizer(float factor) : Regularizer(factor)
    {
        public int Calls { get; private set; }

        public override Tensor Compute(Tensor images)
        {
            CheckImages(images, "Mean");
            Calls++;
            return images.Mean([1, 2, 3]).Mul(Factor);
        }
    }

    /// <summary>A user optimizer: sign descent, <c>p - lr * sign(g)</c>.</summary>
    private sealed class SignDescent(float learningRate) : Optimizer(learningRate)
    {
        public override OptimizerState CreateState(Tensor parameter) => new State(LearningRate);

        private sealed class State(float learningRate) : OptimizerState(learningRate)
        {
            public override Tensor Update(Tensor parameter, Tensor gradient, float learningRate)
            {
                Iterations++;
                return parameter.Sub(gradient.Map(new SignOp()).Mul(learningRate));
            }
        }
    }

    /// <summary>A user transform: a horizontal mirror of every image.</summary>
    private sealed class Mirror : ImageTransform
    {
        public override Tensor Apply(Tensor images, Random random) =>
            images.Slice([images.Shape[3] - 1], [long.MinValue], [3], [-1]);
    }

    /// <summary>The "dot" model with a zero filter: the objective is 0 everywhere, so only the penalties move the image.</summary>
    private static VisualizationModel Flat() => TestModels.DotProduct(new float[3 * 8 * 8], 3, 8, 8);

    private static float MeanPixel(OptimizationResult r) => r.Images.Data.Average();

    private static OptimizationOptions Options(params Regularizer[] regularizers) => new()
    {
        CustomShape = null,
        Transformations = null,
        UseFft = false,
        Steps = 30,
        Seed = 2,
        Regularizers = regularizers,
    };

    [Fact]
    public void UserRegularizerSubclass_IsAppliedAndDifferentiated()
    {
        var model = Flat();
        var reg = new MeanRegularizer(1f);
        var darker = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), Options(reg));
        Assert.Equal(30, reg.Calls);
        // The images start at sigmoid(~0) = 0.5; minimising the mean makes them darker.
        Assert.True(MeanPixel(darker) < 0.3f, $"mean pixel {MeanPixel(darker)}");
    }

    [Fact]
    public void LambdaRegularizer_IsAccepted_AndItsValueEntersTheLoss()
    {
        var model = Flat();
        var brighter = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0),
            Options(Regularizer.FromFunction("negative mean", x => x.Mean([1, 2, 3]).Neg())));
        Assert.True(MeanPixel(brighter) > 0.7f, $"mean pixel {MeanPixel(brighter)}");

        // A constant penalty of 2.5 per image (factor 2) adds exactly 5 to the loss of a zero objective.
        var reports = new List<OptimizationProgress>();
        FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), Options(Regularizer.FromFunction("constant", x => x.Mean([1, 2, 3]).Mul(0f).Add(2.5f), 2f))
            with { Steps = 3, Progress = new SyncProgress<OptimizationProgress>(reports.Add) });
        Assert.All(reports, p => Assert.Equal(5f, p.Loss, 5));
    }

    [Fact]
    public void RegularizerOfTheWrongShape_FailsAtTheFirstStep_NamingIt()
    {
        var model = Flat();
        var e = Assert.Throws<InvalidOperationException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0),
            Options(Regularizer.FromFunction("whole batch", x => x.Mean()))));
        Assert.Contains("whole batch", e.Message);
        Assert.Contains("[1]", e.Message);
    }

    private static float[] Run(Optimizer o, float[] p0, double[][] grads, Func<int, float>? rate = null)
    {
        var be = TestModels.Backend;
        var p = Tensor.FromArray(be, p0, p0.Length);
        using var state = o.CreateState(p);
        for (int t = 0; t < grads.Length; t++)
        {
            using var scope = TensorScope.Begin();
            var gt = Tensor.FromArray(be, grads[t].Select(x => (float)x).ToArray(), grads[t].Length);
            var next = rate is null ? state.Update(p, gt) : state.Update(p, gt, rate(t));
            scope.Keep(next);
            p = next;
        }
        return p.ToArray();
    }

    private static double[][] Grads(int steps, int n) =>
        Enumerable.Range(0, steps).Select(s => Rand.Uniform(200 + s, n, -3f, 3f).Select(x => (double)x).ToArray()).ToArray();

    [Fact]
    public void UserOptimizerSubclass_AndLambdaOptimizer_FollowTheirRules()
    {
        var p0 = Rand.Uniform(3, 11);
        var grads = Grads(4, 11);
        double lr = 0.1;
        var sign = p0.Select(x => (double)x).ToArray();
        var sgd = p0.Select(x => (double)x).ToArray();
        foreach (var g in grads)
            for (int i = 0; i < 11; i++)
            {
                sign[i] -= lr * Math.Sign(g[i]);
                sgd[i] -= lr * g[i];
            }
        Approx.Equal(sign, Run(new SignDescent(0.1f), p0, grads), 1e-5, 1e-6);
        Approx.Equal(sgd, Run(Optimizer.FromFunction((p, g, rate) => p.Sub(g.Mul(rate)), 0.1f), p0, grads), 1e-5, 1e-6);
    }

    [Fact]
    public void Adam_WithAScheduledRate_MatchesKerasRuleAtThatRate()
    {
        var p0 = Rand.Uniform(4, 13);
        var grads = Grads(6, 13);
        double b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var p = p0.Select(x => (double)x).ToArray();
        var m = new double[13];
        var v = new double[13];
        float Rate(int t) => 0.05f / (1 + t);
        for (int t = 1; t <= grads.Length; t++)
        {
            double alpha = Rate(t - 1) * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 13; i++)
            {
                var g = grads[t - 1][i];
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                p[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
            }
        }
        Approx.Equal(p, Run(Optimizer.Adam(0.05f), p0, grads, Rate), 1e-5, 1e-6);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void CosineSchedule_IsKerasCosineDecay(float alpha)
    {
        var s = LearningRateSchedule.Cosine(alpha);
        const int total = 40;
        for (int t = 0; t <= total; t++)
        {
            double expected = 0.3 * ((1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * t / total)) + alpha);
            Assert.Equal(expected, s.Rate(0.3f, t, total), 6);
        }
        Assert.Equal(0.3f, s.Rate(0.3f, 0, total), 6);
        Assert.Equal(0.3 * (1 + alpha) / 2, s.Rate(0.3f, total / 2, total), 6);
        Assert.Equal(0.3 * alpha, s.Rate(0.3f, total, total), 6);
    }

    [Fact]
    public void StepAndConstantSchedules_FollowTheirClosedForms()
    {
        var step = LearningRateSchedule.Step(every: 5, gamma: 0.5f);
        for (int t = 0; t < 30; t++)
        {
            Assert.Equal(0.2 * Math.Pow(0.5, t / 5), step.Rate(0.2f, t, 30), 6);
            Assert.Equal(0.2f, LearningRateSchedule.Constant.Rate(0.2f, t, 30));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(1.5f));
    }

    [Fact]
    public void TheSchedule_GivesEveryStepItsRate_WarmupIncluded()
    {
        var model = TestModels.DotProduct(Rand.Uniform(5, 3 * 8 * 8), 3, 8, 8);
        var rates = new List<float>();
        var sgd = Optimizer.FromFunction((p, g, rate) => { rates.Add(rate); return p.Sub(g.Mul(rate)); }, 0.2f);
        FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = null,
            Optimizer = sgd,
            LearningRateSchedule = LearningRateSchedule.Cosine(),
            Steps = 10,
            WarmupSteps = 2,
            Seed = 1,
        });
        var expected = Enumerable.Range(0, 12).Select(t => 0.2 * 0.5 * (1 + Math.Cos(Math.PI * t / 12))).ToArray();
        Approx.Equal(expected, rates.ToArray(), 1e-6, 1e-7);
    }

    [Fact]
    public void ScheduleGivingANonPositiveRate_FailsNamingTheStep()
    {
        var model = Flat();
        var e = Assert.Throws<InvalidOperationException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0),
            Options() with { LearningRateSchedule = LearningRateSchedule.FromFunction((lr, t, n) => t < 3 ? lr : 0f, "drop") }));
        Assert.Contains("drop", e.Message);
        Assert.Contains("step 4", e.Message);
    }

    [Fact]
    public void UserTransformSubclass_AndLambdaTransform_AreApplied()
    {
        var x = Tensor.FromArray(TestModels.Backend, Enumerable.Range(0, 2 * 1 * 2 * 3).Select(i => (float)i).ToArray(), 2, 1, 2, 3);
        Assert.Equal([2f, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9], new Mirror().Apply(x, new Random(0)).ToArray());
        var seen = new List<int>();
        var t = ImageTransform.FromFunction((images, random) => { seen.Add(random.Next(100)); return images.Mul(2f); }, "double");
        Assert.Equal(x.ToArray().Select(v => 2 * v), t.Apply(x, new Random(0)).ToArray());
        Assert.Equal(new Random(0).Next(100), seen[0]);

        // In a run, with the other built-ins, in a Compose.
        var model = TestModels.DotProduct(Rand.Uniform(6, 3 * 8 * 8), 3, 8, 8);
        var r = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = new ImageSize(12, 12),
            Transformations = ImageTransform.Compose(new Mirror(), t, ImageTransform.Jitter(2)),
            Steps = 3,
            Seed = 1,
        });
        Assert.Equal(3, r.StepsCompleted);
        Assert.True(seen.Count >= 4);
    }

    [Fact]
    public void LambdaTransformOfTheWrongShape_IsRejectedNamingIt()
    {
        var model = Flat();
        var t = ImageTransform.FromFunction((images, _) => images.Reshape(images.Shape[0] * images.Shape[1], 1, images.Shape[2], images.Shape[3]), "fold");
        var e = Assert.ThrowsAny<Exception>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), Options() with { Transformations = t }));
        Assert.Contains("fold", e.Message);
    }

    [Fact]
    public void LucidList_IsLucidsStandardTransforms()
    {
        var names = ImageTransform.LucidList(0.5f).Select(t => t.ToString()!).ToArray();
        Assert.Equal(["Pad(12, 0.5)", "Jitter(8)", "Scale(0.9, 1.1)", "Rotate(-10, 10)", "Jitter(4)"], names);
        // Lucid pads with mid-grey: a constant image of the pad value stays that value wherever it is not rotated out.
        var x = Tensor.FromArray(TestModels.Backend, Enumerable.Repeat(0.5f, 3 * 32 * 32).ToArray(), 1, 3, 32, 32);
        var y = ImageTransform.Lucid(0.5f).Apply(x, new Random(3)).ToArray();
        int h = (int)Math.Sqrt(y.Length / 3);
        Assert.Equal(0.5f, y[3 * 0 + (h / 2) * h + h / 2], 4);
        Assert.InRange(h, (int)((32 + 24 - 8) * 0.9) - 4, (int)((32 + 24 - 8) * 1.1) - 4);
    }
}
