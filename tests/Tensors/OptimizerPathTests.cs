using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;

namespace TinyKd.Tests.Tensors;

// The fused optimizer updates on every path against the plain loops: the same float operations in the same order,
// so the parameters and the state agree bit for bit, at every length and across the parallel chunks.
public class OptimizerPathTests
{
    private static readonly int[] Lengths = [.. PathData.Lengths, 1000, 200_003];

    public static TheoryData<KernelPath, AdamStep> AdamCases()
    {
        var data = new TheoryData<KernelPath, AdamStep>();
        foreach (KernelPath path in CpuKernels.Supported)
        {
            data.Add(path, new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, Decoupled: false, Step: 1));
            data.Add(path, new AdamStep(3e-2f, 0.8f, 0.99f, 1e-6f, 0.05f, Decoupled: false, Step: 7));
            data.Add(path, new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, Decoupled: true, Step: 1000));
        }
        return data;
    }

    public static TheoryData<KernelPath, SgdStep> SgdCases()
    {
        var data = new TheoryData<KernelPath, SgdStep>();
        foreach (KernelPath path in CpuKernels.Supported)
        {
            data.Add(path, new SgdStep(0.1f, 0f, 0f, false, 0f, FirstStep: true));
            data.Add(path, new SgdStep(0.1f, 0f, 0f, false, 1e-3f, FirstStep: false));
            data.Add(path, new SgdStep(0.05f, 0.9f, 0f, false, 0f, FirstStep: true));
            data.Add(path, new SgdStep(0.05f, 0.9f, 0.1f, false, 1e-4f, FirstStep: false));
            data.Add(path, new SgdStep(0.05f, 0.9f, 0f, true, 1e-4f, FirstStep: false));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AdamCases))]
    public void Adam_update_equals_the_reference_loop_bit_for_bit(KernelPath path, AdamStep step)
    {
        foreach (int n in Lengths)
        {
            float[] p = PathData.Uniform((ulong)n, n, -1, 1), g = PathData.Uniform((ulong)n + 1, n, -1, 1);
            float[] m = PathData.Uniform((ulong)n + 2, n, -0.1f, 0.1f), v = PathData.Uniform((ulong)n + 3, n, 0, 0.01f);
            float[] pe = p.ToArray(), me = m.ToArray(), ve = v.ToArray();
            OptimizerReference.Adam(pe, g, me, ve, step);
            OptimizerKernels.Adam(path, p, g, m, v, step);
            Assert.True(pe.AsSpan().SequenceEqual(p), $"parameter, n={n} on {path}");
            Assert.True(me.AsSpan().SequenceEqual(m), $"first moment, n={n} on {path}");
            Assert.True(ve.AsSpan().SequenceEqual(v), $"second moment, n={n} on {path}");
        }
    }

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void Sgd_update_equals_the_reference_loop_bit_for_bit(KernelPath path, SgdStep step)
    {
        foreach (int n in Lengths)
        {
            float[] p = PathData.Uniform((ulong)n, n, -1, 1), g = PathData.Uniform((ulong)n + 1, n, -1, 1);
            float[] buf = step.Momentum == 0f ? [] : PathData.Uniform((ulong)n + 2, n, -0.1f, 0.1f);
            float[] pe = p.ToArray(), be = buf.ToArray();
            OptimizerReference.Sgd(pe, g, be, step);
            OptimizerKernels.Sgd(path, p, g, buf, step);
            Assert.True(pe.AsSpan().SequenceEqual(p), $"parameter, n={n} on {path}");
            Assert.True(be.AsSpan().SequenceEqual(buf), $"momentum buffer, n={n} on {path}");
        }
    }
}
