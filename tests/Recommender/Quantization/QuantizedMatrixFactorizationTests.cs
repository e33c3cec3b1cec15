using TinyKd.Autograd;
using TinyKd.Recommender;
using TinyKd.Tensors;
using TinyKd.Tensors.Cpu;
using TinyKd.Tests.Cli;
using TinyKd.Tests.Tensors;
using Xunit.Abstractions;

namespace TinyKd.Tests.Recommender.Quantization;

// The int8 MF: ScoreAll within the quantization bound of the fp32 model, equal bit for bit to the integer-dot pairwise
// scores on every kernel path (which also shows each user row requantizes exactly), and the same on any thread count
// and whatever users share a call.
[Collection(CpuKernelSettingsCollection.Name)]
public class QuantizedMatrixFactorizationTests(ITestOutputHelper output)
{
    private static InteractionData Data => RecommenderFixtures.Data;

    internal static MatrixFactorization Fp32(int width = 16, ulong seed = 5)
    {
        var mf = new MatrixFactorization(Data.UserCount, Data.ItemCount, width, new Rng(seed));
        // Item biases are zero at initialisation: give them values so the epilogue's bias is exercised.
        float[] bias = PathData.Uniform(seed, Data.ItemCount, -1f, 1f);
        mf.StateDict()["item_bias.weight"].Backend.CopyFromHost(mf.StateDict()["item_bias.weight"], bias);
        mf.Eval();
        return mf;
    }

    internal static int[] AllUsers => [.. Enumerable.Range(0, Data.UserCount)];

    [Fact]
    public void ScoreAll_is_within_the_quantization_bound_of_the_fp32_model()
    {
        MatrixFactorization mf = Fp32();
        var int8 = QuantizedMatrixFactorization.Quantize(mf);
        int users = Data.UserCount, items = Data.ItemCount, d = mf.Width;
        float[] exact = new float[users * items], quantized = new float[users * items];
        mf.ScoreAll(AllUsers, exact);
        int8.ScoreAll(AllUsers, quantized);
        float[] p = mf.StateDict()["user.weight"].ToArray(), q = mf.StateDict()["item.weight"].ToArray();
        for (int u = 0; u < users; u++)
            for (int i = 0; i < items; i++)
            {
                // |p·q − p̂·q̂| ≤ Σ_d |p_d|·s_q/2 + |q_d|·s_p/2 + s_p·s_q/4 (each factor within half its step).
                double sp = int8.UserTable.Scale(u), sq = int8.ItemTable.Scale(i), bound = 1e-5;
                for (int k = 0; k < d; k++) bound += Math.Abs(p[u * d + k]) * sq / 2 + Math.Abs(q[i * d + k]) * sp / 2 + sp * sq / 4;
                double error = Math.Abs(quantized[u * items + i] - exact[u * items + i]);
                Assert.True(error <= bound, $"user {u}, item {i}: int8 {quantized[u * items + i]} vs fp32 {exact[u * items + i]}, error {error} > {bound}");
            }
    }

    [Theory, MemberData(nameof(ForcedKernelPath.All), MemberType = typeof(ForcedKernelPath))]
    public void ScoreAll_equals_the_integer_dot_pairwise_scores_bit_for_bit_on_every_path(KernelPath path) => ForcedKernelPath.Run(path, output, () =>
    {
        var int8 = QuantizedMatrixFactorization.Quantize(Fp32(width: 19));
        int[] users = [0, 7, Data.UserCount - 1];
        var all = new float[users.Length * Data.ItemCount];
        int8.ScoreAll(users, all);
        int[] pairUsers = [.. users.SelectMany(u => Enumerable.Repeat(u, Data.ItemCount))];
        int[] pairItems = [.. users.SelectMany(_ => Enumerable.Range(0, Data.ItemCount))];
        float[] pairs = int8.Score(new Graph(evaluationMode: true), pairUsers, pairItems).Data.ToArray();
        for (int k = 0; k < all.Length; k++)
            Assert.True(BitConverter.SingleToInt32Bits(pairs[k]) == BitConverter.SingleToInt32Bits(all[k]),
                $"{path}: pair {k} (user {pairUsers[k]}, item {pairItems[k]}) ScoreAll {all[k]:G9}, pairwise {pairs[k]:G9}");
    });

    [Fact]
    public void ScoreAll_is_bit_identical_on_one_two_and_three_threads_and_one_user_at_a_time()
    {
        var int8 = QuantizedMatrixFactorization.Quantize(Fp32());
        int saved = CpuKernels.Threads;
        try
        {
            CpuKernels.Threads = 1;
            var one = new float[Data.UserCount * Data.ItemCount];
            int8.ScoreAll(AllUsers, one);
            foreach (int threads in (int[])[2, 3])
            {
                CpuKernels.Threads = threads;
                var many = new float[one.Length];
                int8.ScoreAll(AllUsers, many);
                Assert.True(one.AsSpan().SequenceEqual(many), $"{threads} threads differ from 1");
            }
            var single = new float[Data.ItemCount];
            foreach (int u in (int[])[0, 42, Data.UserCount - 1])
            {
                int8.ScoreAll([u], single);
                Assert.True(single.AsSpan().SequenceEqual(one.AsSpan(u * Data.ItemCount, Data.ItemCount)), $"user {u} alone differs from the batch");
            }
        }
        finally
        {
            CpuKernels.Threads = saved;
        }
    }

    [Fact]
    public void The_model_keeps_the_fp32_biases_and_rejects_mismatched_tables()
    {
        MatrixFactorization mf = Fp32();
        var int8 = QuantizedMatrixFactorization.Quantize(mf);
        Assert.Equal(mf.StateDict()["item_bias.weight"].ToArray(), int8.ItemBias.ToArray());
        Assert.Equal("mf d16 int8", int8.Architecture);
        Assert.Empty(int8.Parameters());
        var users = Int8EmbeddingTable.Quantize(new float[6], 3, 2);
        Support.Check.Throws<ArgumentException>(() => new QuantizedMatrixFactorization(users, Int8EmbeddingTable.Quantize(new float[6], 2, 3, 64), new float[2]),
            "width 2", "3");
        Support.Check.Throws<ArgumentException>(() => new QuantizedMatrixFactorization(users, Int8EmbeddingTable.Quantize(new float[4], 2, 2), new float[2]),
            "±64");
    }
}
