using TinyKd.Autograd;
using TinyKd.Tensors;
using TinyKd.Tests.Support;
using TinyKd.Tests.Tensors;

namespace TinyKd.Tests.Autograd;

// The broadcasting binary ops against central finite differences: each operand's gradient is dy summed back over the
// dimensions it was repeated along, whichever side broadcasts and whatever the ranks.
public class BroadcastGradCheckTests
{
    public static TheoryData<BinaryOp, string, string> Cases()
    {
        string[][] pairs =
        [
            ["", "3,4"], ["1", "3,4"], ["3,4", "4"], ["3,4", "3,1"], ["3,1", "1,4"], ["2,1,5", "1,3,1"],
            ["2,3,5", "3,1"], ["4", "3,1"], ["4", "2,3,4"], ["2,1,3,1", "4,1,1"], ["3,4", "3,4"],
        ];
        var data = new TheoryData<BinaryOp, string, string>();
        foreach (BinaryOp op in Enum.GetValues<BinaryOp>())
            foreach (string[] p in pairs)
            {
                data.Add(op, p[0], p[1]);
                if (p[0] != p[1]) data.Add(op, p[1], p[0]);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Broadcast_binary_op_gradients_match_finite_differences(BinaryOp op, string a, string b)
    {
        Shape aShape = BroadcastCases.Parse(a), bShape = BroadcastCases.Parse(b);
        Tensor x = Tensor.FromArray(BroadcastCases.Values(1, aShape, -1, 1), aShape);
        // Divisors stay in [0.5, 2], away from the pole.
        Tensor y = Tensor.FromArray(BroadcastCases.Values(2, bShape, op == BinaryOp.Divide ? 0.5f : -1f, 2f), bShape);
        Func<Variable[], Variable> f = op switch
        {
            BinaryOp.Add => v => Ops.Add(v[0], v[1]),
            BinaryOp.Subtract => v => Ops.Subtract(v[0], v[1]),
            BinaryOp.Multiply => v => Ops.Multiply(v[0], v[1]),
            _ => v => Ops.Divide(v[0], v[1]),
        };
        var result = GradCheck.Check(f, [x, y]);
        Assert.True(result.Passed, $"{aShape} {op} {bShape}: {result}");
    }

    [Fact]
    public void The_result_has_the_broadcast_shape_and_each_gradient_its_operand_shape()
    {
        var g = new Graph();
        Variable a = g.Input(Check.Random(3, -1, 1, 2, 1, 5), requiresGrad: true);
        Variable b = g.Input(Check.Random(4, 0.5f, 2f, 3, 1), requiresGrad: true);
        Variable y = Ops.Divide(a, b);
        Assert.Equal(new Shape(2, 3, 5), y.Shape);
        g.Backward(Ops.Sum(y));
        Assert.Equal(a.Shape, a.Grad.Shape);
        Assert.Equal(b.Shape, b.Grad.Shape);
    }
}

[Collection(AllocationCollection.Name)]
public class BroadcastAllocationTests
{
    [Fact]
    public void A_steady_state_step_through_broadcast_ops_allocates_no_managed_memory()
    {
        Variable column = Variable.Parameter(Check.Random(5, 0.5f, 2f, 8, 1));
        Variable row = Variable.Parameter(Check.Random(6, 0.5f, 2f, 1, 1, 16));
        Variable scalar = Variable.Parameter(Check.Random(7, -1, 1));
        Tensor batch = Check.Random(8, -1, 1, 4, 8, 1);
        var graph = new Graph();
        void Step()
        {
            graph.Reset();
            Variable x = graph.Input(batch);
            Variable h = Ops.Divide(Ops.Multiply(x, row) - column, row) + scalar;
            graph.Backward(Ops.Sum(Ops.Multiply(h, h)));
        }
        Allocations.AssertNone(Step, "a step through broadcast ops");
    }
}
