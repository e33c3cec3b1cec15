using System.Reflection;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Tensors;


public class TensorTests
{
    [Fact]
    public void Reshape_is_a_view_that_shares_storage_and_infers_minus_one()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var r = t.Reshape(3, -1);
        Assert.Equal(new Shape(3, 2), r.Shape);
        r.Span[0] = 42;
        Assert.Equal(42, t.Span[0]);
    }

    [Fact]
    public void Slice_along_the_batch_dimension_is_a_view_without_copy()
    {
        var t = Tensor.FromArray([0, 1, 2, 3, 4, 5, 6, 7], 4, 2);
        var s = t.Slice(1, 2);
        Assert.Equal(new Shape(2, 2), s.Shape);
        Assert.Equal([2f, 3, 4, 5], s.ToArray());
        s.Span[0] = -1;
        Assert.Equal(-1, t.Span[2]);
    }

    [Fact]
    public void Bad_reshape_and_slice_name_the_shapes()
    {
        var t = Tensor.Zeros(2, 3);
        Check.Throws<ArgumentException>(() => t.Reshape(4, 2), "[2, 3]", "[4, 2]");
        Check.Throws<ArgumentOutOfRangeException>(() => t.Slice(1, 2), "[2, 3]");
        Check.Throws<ArgumentException>(() => new Shape(1, 2, 3, 4, 5), "at most 4");
        Check.Throws<ArgumentException>(() => new Shape(2, -1), "negative");
    }

    [Fact]
    public void Scalar_shape_has_rank_zero_and_one_element()
    {
        var s = new Shape();
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Length);
        Assert.Equal("[]", s.ToString());
    }

    [Fact]
    public void Numerics_tensor_shares_memory_with_a_cpu_tensor()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var n = t.ToNumericsTensor();
        Assert.Equal([2, 3], n.Lengths.ToArray().Select(l => (int)l));
        t.Span[5] = 60;
        Assert.Equal(60f, n[[1, 2]]);
        var back = n.ToTinyKd();
        Assert.Equal(t.Shape, back.Shape);
        Assert.Equal(t.ToArray(), back.ToArray());
        Assert.Equal(60f, t.AsTensorSpan()[[1, 2]]);
    }

    [Fact]
    public void An_op_mixing_backends_names_both()
    {
        ICompute foreign = ForeignBackend.Create();
        var mine = Tensor.Zeros(2, 2);
        var theirs = new Tensor(new CpuStorage(foreign, new float[4]), new Shape(2, 2));
        Check.Throws<ArgumentException>(() => CpuCompute.Default.Binary(BinaryOp.Add, mine, mine, theirs), "foreign", "cpu");
    }

    [Fact]
    public void Rng_streams_are_fixed_by_the_seed()
    {
        var rng = new Rng(12345);
        ulong[] first = [rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64()];
        var again = new Rng(12345);
        ulong[] second = [again.NextUInt64(), again.NextUInt64(), again.NextUInt64()];
        Assert.Equal(first, second);
        Assert.NotEqual(first[0], new Rng(12346).NextUInt64());
    }

    [Fact]
    public void Rng_matches_the_reference_xoshiro256_starstar_stream()
    {
        // Reference values: xoshiro256** seeded by four SplitMix64 outputs of seed 0 (Vigna's reference code).
        var rng = new Rng(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, rng.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, rng.NextUInt64());
    }

    [Fact]
    public void Rng_draws_are_in_range_and_shuffle_is_a_permutation()
    {
        var rng = new Rng(5);
        for (int i = 0; i < 1000; i++)
        {
            float f = rng.NextFloat();
            Assert.InRange(f, 0f, 0.99999994f);
            Assert.InRange(rng.NextInt(7), 0, 6);
        }
        int[] items = Enumerable.Range(0, 100).ToArray();
        rng.Shuffle<int>(items);
        Assert.Equal(Enumerable.Range(0, 100), items.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), items);
        var normals = new float[20000];
        rng.FillNormal(normals, 1f, 2f);
        Assert.InRange(normals.Average(), 0.95, 1.05);
        Assert.InRange(Math.Sqrt(normals.Select(v => (v - 1.0) * (v - 1.0)).Average()), 1.95, 2.05);
    }

    [Fact]
    public void Rng_state_round_trips()
    {
        var rng = new Rng(77);
        rng.NextUInt64();
        var copy = new Rng(1);
        copy.SetState(rng.GetState());
        Assert.Equal(rng.NextUInt64(), copy.NextUInt64());
    }

    // An ICompute whose every method is unused except Name; enough to own a storage.
    public class ForeignBackend : DispatchProxy
    {
        public static ICompute Create() => Create<ICompute, ForeignBackend>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_Name" ? "foreign" : throw new NotSupportedException(targetMethod?.Name);
    }
}
