using TinyKd.Recommender;
using TinyKd.Tensors;

namespace TinyKd.Tests.Recommender.Data;

/// <summary>
/// A deliberately plain probe of whether data has structure beyond popularity: BPR matrix factorisation with an item
/// bias (s = ⟨p_u, q_i⟩ + b_i, SGD on softplus(−(s_pos − s_neg)) with uniform unseen negatives) against a popularity
/// ranking (training positives per item), both scored by test HR@K over the evaluated users under the recipe's
/// full-ranking protocol (candidates: every item but Seen(u) and the validation item; ties pessimistic).
/// </summary>
internal static class FactorModelProbe
{
    /// <summary>Test HR@<paramref name="k"/> of a popularity ranking.</summary>
    public static double PopularityHitRate(InteractionData data, int k)
    {
        var counts = new double[data.ItemCount];
        foreach (int item in data.TrainItems) counts[item]++;
        return HitRate(data, k, (_, scores) => counts.CopyTo(scores, 0));
    }

    /// <summary>Test HR@<paramref name="k"/> of BPR-MF of width <paramref name="factors"/> trained with <paramref name="seed"/>.</summary>
    public static double MatrixFactorizationHitRate(InteractionData data, int k, ulong seed, int factors = 16, int epochs = 30)
    {
        const float learningRate = 0.05f, regularization = 0.01f;
        var rng = new Rng(seed);
        var sampler = new NegativeSampler(data, seed + 1);
        var users = new float[data.UserCount * factors];
        var items = new float[data.ItemCount * factors];
        var bias = new float[data.ItemCount];
        rng.FillNormal(users, 0, 0.1f);
        rng.FillNormal(items, 0, 0.1f);
        int[] order = Enumerable.Range(0, data.TrainItems.Length).ToArray();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle<int>(order);
            foreach (int n in order)
            {
                int u = data.TrainUsers[n], i = data.TrainItems[n], j = sampler.Sample(u);
                Span<float> p = users.AsSpan(u * factors, factors), qi = items.AsSpan(i * factors, factors), qj = items.AsSpan(j * factors, factors);
                float x = bias[i] - bias[j];
                for (int f = 0; f < factors; f++) x += p[f] * (qi[f] - qj[f]);
                float g = 1f / (1f + MathF.Exp(x)); // −d softplus(−x)/dx
                bias[i] += learningRate * (g - regularization * bias[i]);
                bias[j] += learningRate * (-g - regularization * bias[j]);
                for (int f = 0; f < factors; f++)
                {
                    float pf = p[f];
                    p[f] += learningRate * (g * (qi[f] - qj[f]) - regularization * pf);
                    qi[f] += learningRate * (g * pf - regularization * qi[f]);
                    qj[f] += learningRate * (-g * pf - regularization * qj[f]);
                }
            }
        }
        return HitRate(data, k, (u, scores) =>
        {
            for (int i = 0; i < data.ItemCount; i++)
            {
                float s = bias[i];
                for (int f = 0; f < factors; f++) s += users[u * factors + f] * items[i * factors + f];
                scores[i] = s;
            }
        });
    }

    private static double HitRate(InteractionData data, int k, Action<int, double[]> score)
    {
        var scores = new double[data.ItemCount];
        int hits = 0;
        foreach (int u in data.EvaluatedUsers)
        {
            score(u, scores);
            int test = data.TestItem[u], rank = 1;
            for (int c = 0; c < data.ItemCount; c++)
            {
                if (c != test && c != data.ValidationItem[u] && !data.IsSeen(u, c) && scores[c] >= scores[test]) rank++;
            }
            if (rank <= k) hits++;
        }
        return (double)hits / data.EvaluatedUsers.Length;
    }
}
