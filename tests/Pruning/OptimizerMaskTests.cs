using TinyKd.Autograd;
using TinyKd.Autograd.Nn;
using TinyKd.Autograd.Optim;
using TinyKd.Distill.Pruning;
using TinyKd.Tensors;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Pruning;

public sealed class OptimizerMaskTests
{
    public static TheoryData<string> Optimizers() => ["adam", "adamw", "sgd"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Hundred_training_steps_keep_every_pruned_weight_and_its_optimizer_state_at_zero(string kind)
    {
        Mlp model = PruningFixtures.Model("12-16-8-3");
        Variable[] parameters = [.. model.Parameters()];
        Optimizer optimizer = kind switch
        {
            "adam" => new Adam(parameters, 0.01f, weightDecay: 0.01f),
            "adamw" => new AdamW(parameters, 0.01f),
            _ => new Sgd(parameters, 0.05f, momentum: 0.9f, weightDecay: 0.01f),
        };
        Tensor x = Check.Random(11, -1, 1, 32, 12);
        int[] labels = [.. Enumerable.Range(0, 32).Select(i => i % 3)];
        for (int step = 0; step < 5; step++) Step(model, optimizer, x, labels); // moments that the mask must zero
        PruningMask mask = MagnitudePruner.Prune(model, 0.6, new PruningOptions(PruningGranularity.Element, PruneOutputLayer: true));
        mask.Attach(optimizer);
        float[][] before = [.. mask.Layers.Select(l => l.Weight.Data.ToArray())];
        for (int step = 0; step < 100; step++) Step(model, optimizer, x, labels);

        IReadOnlyList<Tensor> state = optimizer.StateTensors();
        for (int i = 0; i < mask.Layers.Count; i++)
        {
            float[] m = mask[i].ToArray(), w = mask.Layers[i].Weight.Data.ToArray();
            int index = Array.IndexOf(parameters, mask.Layers[i].Weight);
            Tensor[] own = [.. state.Where((_, s) => s % parameters.Length == index)];
            Assert.NotEmpty(own);
            for (int j = 0; j < m.Length; j++)
            {
                if (m[j] != 0f) continue;
                Assert.Equal(0f, w[j]);
                foreach (Tensor s in own) Assert.Equal(0f, s.ToArray()[j]);
            }
            Assert.Contains(Enumerable.Range(0, w.Length), j => m[j] != 0f && w[j] != before[i][j]);
        }
    }

    [Fact]
    public void A_mask_of_another_shape_or_for_a_foreign_parameter_is_rejected_naming_it()
    {
        var p = Variable.Parameter(Tensor.Zeros(2, 3), "w");
        var optimizer = new Adam([p]);
        Check.Throws<ArgumentException>(() => optimizer.SetMask(p, Tensor.Zeros(3, 2)), "[3, 2]");
        Check.Throws<ArgumentException>(() => optimizer.SetMask(Variable.Parameter(Tensor.Zeros(2, 3), "other"), Tensor.Zeros(2, 3)), "not a parameter");
    }

    private static void Step(Mlp model, Optimizer optimizer, Tensor x, int[] labels)
    {
        var graph = new Graph();
        Variable loss = Losses.CrossEntropy(model.Forward(graph.Input(x)), labels);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
    }
}
