using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Gpu;
using TinyKd.Tensors;

namespace TinyKd.Tests.Gpu;

// Module.To releases the device memory its parameters and gradients leave, at the move, not by a finalizer.
[Collection(IlgpuCpuCollection.Name)]
public class GpuModuleMoveTests(IlgpuCpuFixture fixture)
{
    private readonly GpuCompute _gpu = fixture.Gpu;

    [Fact]
    public void Moving_a_model_off_the_device_disposes_its_device_parameters_and_gradients_and_keeps_the_values()
    {
        var model = new Mlp(MlpSpec.Parse("7-5-3"), new Rng(4));
        model.To(_gpu);
        var graph = new Graph(_gpu);
        Tensor x = IlgpuCpuFixture.On(_gpu, Tensor.FromArray(Enumerable.Range(0, 14).Select(i => i / 7f - 1f).ToArray(), 2, 7));
        Losses.CrossEntropy(model.Forward(graph.Input(x)), new[] { 0, 2 }).Backward();

        var parameters = model.Parameters().ToList();
        var values = parameters.Select(p => p.Data).ToList();
        var gradients = parameters.Select(p => p.Grad).ToList();
        Assert.All(gradients, g => Assert.False(g.IsEmpty));
        float[][] expected = [.. values.Select(v => v.ToArray())];

        model.To(CpuCompute.Default);

        Assert.All(values, v => Assert.True(v.Storage.IsDisposed, "a parameter's device storage outlived the move"));
        Assert.All(gradients, g => Assert.True(g.Storage.IsDisposed, "a gradient's device storage outlived the move"));
        for (int i = 0; i < parameters.Count; i++)
        {
            Assert.Same(CpuCompute.Default, parameters[i].Data.Backend);
            Assert.Equal(expected[i], parameters[i].Data.ToArray());
        }
    }

    [Fact]
    public void Moving_a_cpu_model_to_the_device_leaves_its_cpu_tensors_readable()
    {
        var model = new Mlp(MlpSpec.Parse("4-3"), new Rng(5));
        Tensor weight = model.Parameters().First().Data;
        float[] before = weight.ToArray();
        model.To(_gpu);
        Assert.False(weight.Storage.IsDisposed);
        Assert.Equal(before, weight.ToArray());
        model.To(CpuCompute.Default);
    }

    [Fact]
    public void A_kernel_reading_a_disposed_models_parameters_throws_object_disposed()
    {
        var layer = new Linear(4, 3, new Rng(6));
        layer.To(_gpu);
        Tensor x = IlgpuCpuFixture.On(_gpu, Tensor.FromArray(new float[8], 2, 4));
        layer.Dispose();
        TinyKd.Tests.Support.Check.Throws<ObjectDisposedException>(() => layer.Forward(new Graph(_gpu).Input(x)), nameof(GpuStorage));
    }
}
