namespace TinyKd.Tensors.Cpu;

/// <summary>
/// Plain double-precision versions of the vectorised loss kernels, one element at a time, that the fast paths are
/// checked against. B = rows, C = columns.
/// </summary>
public static class LossReference
{
    /// <summary>
    /// dlogits += scale·(e^logp − target)/B with target = (1−ε)·onehot(label) + ε/C, over the labelled rows (B of
    /// them); rows labelled −1 are skipped. Not accumulating, dlogits starts from zero.
    /// </summary>
    public static void SoftmaxCrossEntropyBackward(Span<float> dLogits, ReadOnlySpan<float> logp, int columns,
        ReadOnlySpan<int> labels, float smoothing, float scale, bool accumulate = true)
    {
        if (!accumulate) dLogits[..(labels.Length * columns)].Clear();
        int labelled = 0;
        foreach (int label in labels) if (label >= 0) labelled++;
        for (int r = 0; r < labels.Length; r++)
        {
            if (labels[r] < 0) continue;
            for (int c = 0; c < columns; c++)
            {
                double target = (c == labels[r] ? 1.0 - smoothing : 0.0) + (double)smoothing / columns;
                dLogits[r * columns + c] = (float)(dLogits[r * columns + c] + (double)scale * (Math.Exp(logp[r * columns + c]) - target) / labelled);
            }
        }
    }

    /// <summary>
    /// The batch-mean KL(softmax(t/T) ‖ softmax(s/T)) from student logits s and teacher logits t, [B, C], returned;
    /// dStudent = (ps − pt)/(T·B) and, when not empty, dTeacher = pt·((log pt − log ps) − KL_r)/(T·B) are written.
    /// </summary>
    public static float KlDivergenceWithGradient(Span<float> dStudent, Span<float> dTeacher, ReadOnlySpan<float> student,
        ReadOnlySpan<float> teacher, int columns, float temperature)
    {
        int rows = columns == 0 ? 0 : student.Length / columns;
        if (rows == 0) return 0f;
        var logPs = new double[columns];
        var logPt = new double[columns];
        double total = 0, k = 1.0 / ((double)temperature * rows);
        for (int r = 0; r < rows; r++)
        {
            LogSoftmax(student.Slice(r * columns, columns), temperature, logPs);
            LogSoftmax(teacher.Slice(r * columns, columns), temperature, logPt);
            double kl = 0;
            for (int c = 0; c < columns; c++) kl += Math.Exp(logPt[c]) * (logPt[c] - logPs[c]);
            total += kl;
            for (int c = 0; c < columns; c++)
            {
                double pt = Math.Exp(logPt[c]);
                dStudent[r * columns + c] = (float)((Math.Exp(logPs[c]) - pt) * k);
                if (!dTeacher.IsEmpty) dTeacher[r * columns + c] = (float)(pt * (logPt[c] - logPs[c] - kl) * k);
            }
        }
        return (float)(total / rows);
    }

    private static void LogSoftmax(ReadOnlySpan<float> x, float temperature, Span<double> y)
    {
        double max = double.NegativeInfinity;
        foreach (float v in x) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in x) sum += Math.Exp((v - max) / temperature);
        double logSum = Math.Log(sum);
        for (int c = 0; c < x.Length; c++) y[c] = (x[c] - max) / temperature - logSum;
    }

    /// <summary>
    /// The composed form the fused <see cref="KlDivergenceWithGradient"/> replaces, step 2 of 3 (after two
    /// log-softmaxes): (1/B)·Σ exp(lt)·(lt − ls) from log-probabilities, in double.
    /// </summary>
    public static float KlDivergence(ReadOnlySpan<float> logPs, ReadOnlySpan<float> logPt, int rows)
    {
        double total = 0;
        for (int i = 0; i < logPs.Length; i++)
        {
            float lt = logPt[i];
            total += Math.Exp(lt) * ((double)lt - logPs[i]);
        }
        return rows == 0 ? 0f : (float)(total / rows);
    }

    /// <summary>
    /// The composed form's backward through the temperature-T log-softmaxes: dStudent += scale·(ps − pt)/(T·B) and
    /// dTeacher += scale·pt·((lt − ls) − KL_r)/(T·B); either may be empty.
    /// </summary>
    public static void KlDivergenceBackward(Span<float> dStudent, Span<float> dTeacher, ReadOnlySpan<float> logPs,
        ReadOnlySpan<float> logPt, int columns, float temperature, float scale)
    {
        int rows = columns == 0 ? 0 : logPs.Length / columns;
        if (rows == 0) return;
        float k = scale / (temperature * rows);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> ls = logPs.Slice(r * columns, columns);
            ReadOnlySpan<float> lt = logPt.Slice(r * columns, columns);
            if (!dStudent.IsEmpty)
            {
                Span<float> d = dStudent.Slice(r * columns, columns);
                for (int c = 0; c < columns; c++) d[c] += k * (MathF.Exp(ls[c]) - MathF.Exp(lt[c]));
            }
            if (!dTeacher.IsEmpty)
            {
                double kl = 0;
                for (int c = 0; c < columns; c++) kl += Math.Exp(lt[c]) * ((double)lt[c] - ls[c]);
                Span<float> d = dTeacher.Slice(r * columns, columns);
                for (int c = 0; c < columns; c++)
                    d[c] += (float)(k * Math.Exp(lt[c]) * ((double)lt[c] - ls[c] - kl));
            }
        }
    }
}
