using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Tensors;

namespace TinyKd.Tests.Devices;

// The autograd layer on a backend whose memory the host cannot read (HostlessCompute): a model moved there with To()
// trains bit for bit as on the CPU, and the only transfers of a step are the ones the caller asks for.
public class HostlessTrainingTests
{
    private const int Batch = 6, Inputs = 7, Classes = 3, Steps = 4;

    [Fact]
    public void A_model_moved_to_a_hostless_backend_trains_bit_for_bit_as_on_the_cpu_with_one_download_per_asked_number()
    {
        var device = new HostlessCompute();
        (Mlp cpuModel, float[] cpuLosses, double[] cpuNorms) = Train(CpuCompute.Default);
        (Mlp deviceModel, float[] deviceLosses, double[] deviceNorms) = Train(device);

        Assert.Equal(cpuLosses, deviceLosses);
        Assert.Equal(cpuNorms, deviceNorms);
        foreach (var ((name, cpu), (_, moved)) in cpuModel.NamedParameters().Zip(deviceModel.NamedParameters()))
        {
            Assert.Same(device, moved.Data.Backend);
            Assert.True(cpu.Data.ToArray().AsSpan().SequenceEqual(moved.Data.ToArray()), $"parameter {name} differs from the CPU run");
        }
        // Per step: the loss the test reads and the one copy of the per-parameter norms; nothing else came back.
        // The parameter reads above added one download per parameter.
        Assert.Equal(Steps * 2 + cpuModel.Parameters().Count, device.Downloads);
    }

    [Fact]
    public void The_hostless_backend_refuses_host_access_and_tensors_of_other_backends()
    {
        var device = new HostlessCompute();
        Tensor t = Tensor.Zeros(new Shape(2, 2), device);
        Assert.Throws<InvalidOperationException>(() => t.Span.Length);
        var e = Assert.Throws<InvalidOperationException>(() => device.Copy(t, Tensor.Zeros(2, 2)));
        Assert.Contains("'cpu'", e.Message);
    }

    [Fact]
    public void Int8_and_sparse_layers_refuse_to_move_and_name_themselves()
    {
        var linear = new Linear(4, 3, new Rng(1));
        var model = new Sequential(QuantizedLinear.FromLinear(linear));
        var e = Assert.Throws<NotSupportedException>(() => model.To(new HostlessCompute()));
        Assert.Contains(nameof(QuantizedLinear), e.Message);
        Assert.Same(model, model.To(CpuCompute.Default));
    }

    // Trains a small MLP (dropout on) with a loss that uses every loss kernel's backward, Adam and gradient clipping.
    // Batches are uploaded once per step; the model is built on the CPU and moved. The GPU tests run it too.
    internal static (Mlp Model, float[] Losses, double[] Norms) Train(ICompute backend)
    {
        var model = new Mlp(new MlpSpec([Inputs, 16, 16, Classes], Activation.Relu, 0.2f), new Rng(11));
        model.To(backend);
        var optimizer = new Adam(model.Parameters(), 1e-2f);
        var rng = new Rng(5);
        var losses = new float[Steps];
        var norms = new double[Steps];
        var graph = new Graph(backend);
        for (int step = 0; step < Steps; step++)
        {
            float[] x = new float[Batch * Inputs], teacher = new float[Batch * Classes], targets = new float[Batch * Classes];
            rng.FillNormal(x, 0f, 1f);
            rng.FillNormal(teacher, 0f, 2f);
            rng.FillUniform(targets, 0f, 1f);
            int[] labels = [.. Enumerable.Range(step, Batch).Select(i => i % Classes)];
            graph.Reset();
            Variable input = graph.Input(Tensor.Upload(x, new Shape(Batch, Inputs), backend));
            Variable teacherLogits = graph.Input(Tensor.Upload(teacher, new Shape(Batch, Classes), backend));
            Variable soft = graph.Input(Tensor.Upload(targets, new Shape(Batch, Classes), backend));
            Variable logits = model.Forward(input);
            Variable loss = Losses.CrossEntropy(logits, labels, 0.1f)
                + 0.5f * Losses.KlDivergence(logits, teacherLogits, 2f)
                + Losses.Mse(logits, teacherLogits)
                + Losses.BceWithLogits(logits, soft);
            optimizer.ZeroGrad();
            loss.Backward();
            norms[step] = optimizer.ClipGradNorm(0.5f);
            optimizer.Step();
            losses[step] = loss.Item();
        }
        return (model, losses, norms);
    }
}
