#!/usr/bin/env python3
"""PyTorch baseline for FeatureViz.GpuCheck, run on the same GPU in the same session.

1. Exports torchvision's resnet18 (random weights, eval mode: batch norm folded into the convolutions) to ONNX
   (input "input" [N, 3, 224, 224] with a symbolic batch, output "logits"), which FeatureViz.GpuCheck loads with
   --model, so both sides run the same network.
2. Times the same work as FeatureViz.GpuCheck in PyTorch eager FP32 with TF32 off (matmul and cuDNN), keys shared
   with the C# program: sgemm_4096, conv_fwd_<conv>/conv_fwd_relu_<conv>/conv_dgrad_<conv> for every distinct ResNet18 convolution at
   batch 1, resnet18_fwd_b<B> and resnet18_fwd_dgrad_b<B> (input gradient only: the weights are frozen),
   fft2_rt_<S> (rfft2 + irfft2 of 3 x S x S: torch.fft is cuFFT), fv_step_s<S>_b<B> (a Lucent-style step: Fourier
   image, colour decorrelation, sigmoid, the standard transformations, resize to 224, ResNet18 to the end of layer3,
   channel objective, backward, Adam; per step, timed in blocks of 8 steps), render_s224_steps<N> (N = 32, 128, 512),
   and the TF32 stretch figures (sgemm_4096_tf32, resnet18_fwd_dgrad_b64_tf32).
Every repetition is bracketed by torch.cuda.synchronize(); the median of the repetitions is reported (after warm-up).
Each section checks the elapsed time against --budget-seconds and skips what would not fit, saying so in the JSON.

usage: torch_baseline.py --out torch.json --export resnet18.onnx [--budget-seconds 150] [--reps 50]
"""
import argparse
import datetime
import json
import statistics
import sys
import time
import traceback

SGEMM = 4096
MODEL_BATCHES = [1, 16, 64]
FFT_SIZES = [224, 512]
STEP_SIZES = [224, 512]
STEP_BATCHES = [1, 8]
STEP_BLOCK = 8
RENDER_STEPS = [32, 128, 512]
MODEL_SIZE = 224


def conv_key(c, o, k, s, h):
    return f"c{c}_o{o}_k{k}_s{s}_h{h}"


class Runner:
    def __init__(self, args):
        self.args = args
        self.start = time.perf_counter()
        self.timings = []
        self.skipped = []

    def left(self):
        return self.args.budget_seconds - (time.perf_counter() - self.start)

    def skip(self, section, key, reason):
        self.skipped.append({"section": section, "item": key, "reason": reason})
        print(f"  skip {key}: {reason}", flush=True)

    def measure(self, section, key, description, fn, reps=None, warmup=True, flops=0.0):
        import torch
        reps = reps or self.args.reps
        if self.left() <= 0:
            self.skip(section, key, "budget: no time left")
            return None
        try:
            warm = 0.0
            if warmup:
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                warm = time.perf_counter() - t0
            times = []
            while len(times) < reps:
                last = times[-1] / 1000 if times else warm
                if len(times) >= 3 and self.left() < last * 1.5:
                    break
                if times and self.left() < last:
                    break
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                times.append((time.perf_counter() - t0) * 1000)
            if not times:
                self.skip(section, key, "budget: no repetition fitted after the warm-up")
                return None
            entry = {"key": key, "section": section, "description": description,
                     "medianMs": statistics.median(times), "minMs": min(times), "repetitions": len(times),
                     "flops": flops}
            self.timings.append(entry)
            extra = f"  {flops / (entry['medianMs'] * 1e9):.2f} TFLOP/s" if flops else ""
            print(f"  {key:<36} {entry['medianMs']:10.3f} ms (min {entry['minMs']:.3f}, n {len(times)}){extra}", flush=True)
            return entry
        except Exception as e:  # a workload that fails is reported, the others still run
            self.skip(section, key, f"error: {type(e).__name__}: {e}")
            return None


def set_tf32(on):
    import torch
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def export_model(path, report):
    import torch
    import torchvision
    model = torchvision.models.resnet18(weights=None).eval()
    x = torch.rand(1, 3, MODEL_SIZE, MODEL_SIZE)
    errors = []
    for dynamo in (False, True):
        try:
            kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=17, do_constant_folding=True)
            if dynamo:
                kwargs["dynamic_shapes"] = {"x": {0: torch.export.Dim("N", min=1, max=1024)}}
            else:
                kwargs["dynamic_axes"] = {"input": {0: "N"}, "logits": {0: "N"}}
            torch.onnx.export(model, (x,), path, dynamo=dynamo, **kwargs)
            report["export"] = {"path": path, "exporter": "dynamo" if dynamo else "torchscript", "errors": errors}
            print(f"exported torchvision resnet18 to {path} ({'dynamo' if dynamo else 'torchscript'} exporter)", flush=True)
            return model
        except Exception as e:
            errors.append(f"dynamo={dynamo}: {type(e).__name__}: {e}")
    report["export"] = {"path": None, "errors": errors}
    print("ONNX export failed: " + " | ".join(errors), flush=True)
    return model


def distinct_convs(model):
    """Every distinct Conv2d of the model with its input size at 224, in first-use order."""
    import torch
    seen, specs, hooks = set(), [], []

    def hook(mod, inp, out):
        c, h = inp[0].shape[1], inp[0].shape[2]
        spec = (c, mod.out_channels, mod.kernel_size[0], mod.stride[0], mod.padding[0], h)
        if spec not in seen:
            seen.add(spec)
            specs.append(spec)

    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(hook))
    with torch.no_grad():
        model(torch.zeros(1, 3, MODEL_SIZE, MODEL_SIZE, device=next(model.parameters()).device))
    for h in hooks:
        h.remove()
    return specs


def color_correlation(device):
    import torch
    # Lucid's ImageNet colour correlation matrix, normalised by its largest column norm.
    m = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], device=device)
    return m / m.norm(dim=0).max()


class Step:
    """A Lucent-style feature-visualization step; mirrors FeatureViz's defaults (Fourier, decay 0.85, sigmoid,
    the standard transformations at the image size, bilinear resize to the model input, Adam 0.05)."""

    def __init__(self, trunk, size, batch, device, seed=0):
        import torch
        g = torch.Generator(device="cpu").manual_seed(seed)
        self.size, self.batch, self.trunk = size, batch, trunk
        fy = torch.fft.fftfreq(size)[:, None]
        fx = torch.fft.rfftfreq(size)[None, :]
        freqs = torch.sqrt(fx * fx + fy * fy)
        self.scale = (1.0 / torch.clamp(freqs, min=1.0 / size) ** 0.85).to(device)
        self.spectrum = (torch.randn(batch, 3, size, size // 2 + 1, 2, generator=g) * 0.01).to(device).requires_grad_()
        self.opt = torch.optim.Adam([self.spectrum], lr=0.05, eps=1e-7)
        self.color = color_correlation(device)
        self.channels = torch.arange(batch, device=device)  # image i maximises channel i
        self.rng = torch.Generator(device="cpu").manual_seed(seed + 1)

    def rand(self, lo, hi):
        import torch
        return lo + (hi - lo) * torch.rand(1, generator=self.rng).item()

    def randint(self, lo, hi):
        import torch
        return int(torch.randint(lo, hi + 1, (1,), generator=self.rng).item())

    def image(self):
        import torch
        spec = torch.view_as_complex(self.spectrum) * self.scale
        img = torch.fft.irfft2(spec, s=(self.size, self.size), norm="ortho")
        img = torch.einsum("bchw,dc->bdhw", img, self.color)
        return torch.sigmoid(img)

    def transform(self, img):
        import torch
        import torch.nn.functional as F
        u = self.size // 16
        img = F.pad(img, (4 * u,) * 4, value=0.0)
        # Five jitters (2u, 2u, 4u, 4u, 4u) compose into one random crop: each crops d pixels per axis at an offset
        # drawn from [0, d] (tf.image.random_crop, as FeatureViz's TransformChain merges them).
        deltas = (2 * u, 2 * u, 4 * u, 4 * u, 4 * u)
        dy = sum(self.randint(0, d) for d in deltas)
        dx = sum(self.randint(0, d) for d in deltas)
        h = img.shape[-1] - sum(deltas)
        img = img[..., dy:dy + h, dx:dx + h]
        s = self.rand(0.92, 0.96)
        img = F.interpolate(img, size=(int(h * s), int(h * s)), mode="bilinear", align_corners=False)
        sigma, k = self.rand(1.0, 1.1), 10
        x = torch.arange(k, device=img.device, dtype=img.dtype) - (k - 1) / 2
        g1 = torch.exp(-0.5 * x * x / (sigma * sigma))
        g1 = g1 / g1.sum()
        img = F.conv2d(img, g1.view(1, 1, k, 1).repeat(3, 1, 1, 1), padding="same", groups=3)
        img = F.conv2d(img, g1.view(1, 1, 1, k).repeat(3, 1, 1, 1), padding="same", groups=3)
        if u > 0:  # two jitters of u
            h = img.shape[-1] - 2 * u
            jy = self.randint(0, u) + self.randint(0, u)
            jx = self.randint(0, u) + self.randint(0, u)
            img = img[..., jy:jy + h, jx:jx + h]
        if self.rand(0, 1) < 0.5:
            img = torch.flip(img, dims=[3])
        return F.interpolate(img, size=(MODEL_SIZE, MODEL_SIZE), mode="bilinear", align_corners=False)

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        act = self.trunk(self.transform(self.image()))
        loss = -act[self.channels, self.channels].mean(dim=(1, 2)).sum()
        loss.backward()
        self.opt.step()
        return loss.detach()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="the JSON to write")
    p.add_argument("--export", required=True, help="where to write the ONNX model")
    p.add_argument("--budget-seconds", type=float, default=150.0)
    p.add_argument("--reps", type=int, default=50)
    args = p.parse_args()

    import torch
    import torch.nn.functional as F

    report = {"tool": "torch_baseline.py", "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "torch": torch.__version__, "cuda": torch.version.cuda,
              "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
              "cudnnBenchmark": torch.backends.cudnn.benchmark, "budgetSeconds": args.budget_seconds}
    r = Runner(args)
    model = export_model(args.export, report)
    if not torch.cuda.is_available():
        report["error"] = "no CUDA device"
        report["timings"], report["skipped"] = [], [{"section": "*", "item": "*", "reason": "no CUDA device"}]
        json.dump(report, open(args.out, "w"), indent=2)
        print("no CUDA device", file=sys.stderr)
        return 1
    dev = torch.device("cuda")
    report["deviceName"] = torch.cuda.get_device_name(0)
    print(f"torch {torch.__version__} CUDA {torch.version.cuda} on {report['deviceName']}", flush=True)
    set_tf32(False)
    model = model.to(dev).eval()
    for prm in model.parameters():
        prm.requires_grad_(False)  # frozen weights: input gradient only, as in feature visualization

    sections = [("sgemm", 1), ("conv", 2), ("resnet18", 2), ("fft", 1), ("step", 3), ("render", 2)]
    weight_left = sum(wt for _, wt in sections)

    def allowance(weight):
        nonlocal weight_left
        share = max(0.0, r.left()) * min(1.0, weight / weight_left)
        weight_left -= weight
        return time.perf_counter() + share

    def section(name, weight, body):
        end = allowance(weight)
        saved = r.left
        r.left = lambda: min(saved(), end - time.perf_counter())
        print(f"[{time.perf_counter() - r.start:6.1f} s] {name}", flush=True)
        try:
            body()
        except Exception as e:
            traceback.print_exc()
            r.skip(name, "*", f"section failed: {type(e).__name__}: {e}")
        finally:
            r.left = saved

    def sgemm():
        a = torch.rand(SGEMM, SGEMM, device=dev)
        b = torch.rand(SGEMM, SGEMM, device=dev)
        fl = 2.0 * SGEMM ** 3
        r.measure("sgemm", f"sgemm_{SGEMM}", "torch.mm FP32 (TF32 off)", lambda: torch.mm(a, b), flops=fl)
        set_tf32(True)
        try:
            r.measure("sgemm", f"sgemm_{SGEMM}_tf32", "torch.mm with TF32", lambda: torch.mm(a, b), flops=fl)
        finally:
            set_tf32(False)

    def convs():
        for (c, o, k, s, pad, h) in distinct_convs(model):
            key = conv_key(c, o, k, s, h)
            oh = (h + 2 * pad - k) // s + 1
            x = torch.rand(1, c, h, h, device=dev)
            w = torch.rand(o, c, k, k, device=dev) * 0.1
            bias = torch.rand(o, device=dev)
            dy = torch.rand(1, o, oh, oh, device=dev)
            fl = 2.0 * c * o * k * k * oh * oh
            r.measure("conv", f"conv_fwd_{key}", "F.conv2d, batch 1", lambda: F.conv2d(x, w, bias, s, pad), flops=fl)
            r.measure("conv", f"conv_fwd_relu_{key}", "F.relu(F.conv2d), batch 1 (two kernels in eager mode)",
                      lambda: F.relu(F.conv2d(x, w, bias, s, pad)), flops=fl)
            r.measure("conv", f"conv_dgrad_{key}", "torch.nn.grad.conv2d_input, batch 1",
                      lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, s, pad), flops=fl)

    def resnet():
        for b in MODEL_BATCHES:
            x = torch.rand(b, 3, MODEL_SIZE, MODEL_SIZE, device=dev)
            if b in (MODEL_BATCHES[0], MODEL_BATCHES[-1]):
                def fwd():
                    with torch.no_grad():
                        model(x)
                r.measure("resnet18", f"resnet18_fwd_b{b}", f"forward, batch {b}", fwd)

            def fwd_dgrad():
                xi = x.detach().requires_grad_()
                model(xi).sum().backward()
            r.measure("resnet18", f"resnet18_fwd_dgrad_b{b}", f"forward + input gradient of sum(logits), batch {b}", fwd_dgrad)
            if b == MODEL_BATCHES[-1]:
                set_tf32(True)
                try:
                    r.measure("resnet18", f"resnet18_fwd_dgrad_b{b}_tf32", f"as resnet18_fwd_dgrad_b{b} with TF32", fwd_dgrad)
                finally:
                    set_tf32(False)

    def ffts():
        for s in FFT_SIZES:
            x = torch.rand(3, s, s, device=dev)
            r.measure("fft", f"fft2_rt_{s}", "torch.fft.rfft2 + irfft2 (cuFFT)", lambda: torch.fft.irfft2(torch.fft.rfft2(x), s=(s, s)))

    trunk = torch.nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool, model.layer1, model.layer2, model.layer3)

    def steps():
        for size in STEP_SIZES:
            for batch in STEP_BATCHES:
                key = f"fv_step_s{size}_b{batch}"
                if r.left() <= 0:
                    r.skip("step", key, "budget: the section's time is used up")
                    continue
                st = Step(trunk, size, batch, dev)

                def block():
                    loss = None
                    for _ in range(STEP_BLOCK):
                        loss = st.step()
                    loss.item()  # the loop reads the loss once a block, as FeatureViz does
                e = r.measure("step", key + "_block", f"{STEP_BLOCK} steps", block, reps=max(1, args.reps // 4))
                if e is not None:
                    r.timings.remove(e)
                    r.timings.append({**e, "key": key, "description": f"Lucent-style step, {size}x{size}, batch {batch}, per step (blocks of {STEP_BLOCK})",
                                      "medianMs": e["medianMs"] / STEP_BLOCK, "minMs": e["minMs"] / STEP_BLOCK})

    def renders():
        for n in RENDER_STEPS:
            def render():
                st = Step(trunk, MODEL_SIZE, 1, dev)
                for i in range(n):
                    loss = st.step()
                    if (i + 1) % STEP_BLOCK == 0:
                        loss.item()
                st.image().detach().cpu()
            r.measure("render", f"render_s{MODEL_SIZE}_steps{n}", f"{n} steps from a fresh image, final image on the host", render, reps=1, warmup=False)

    section("sgemm", 1, sgemm)
    section("conv", 2, convs)
    section("resnet18", 2, resnet)
    section("fft", 1, ffts)
    section("step", 3, steps)
    section("render", 2, renders)
    report["timings"], report["skipped"] = r.timings, r.skipped
    report["elapsedSeconds"] = time.perf_counter() - r.start
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {args.out} ({len(r.timings)} timings, {len(r.skipped)} skipped)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
