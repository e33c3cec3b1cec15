namespace TinyKd.Distill.Training;

/// <summary>Where a training run stands, reported after every batch and at the end of every epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch.</param>
/// <param name="SamplesPerSecond">Training throughput so far in this epoch.</param>
/// <param name="EpochDone">True for the report that closes an epoch.</param>
/// <param name="ValidationAccuracy">Validation accuracy, on the closing report when a validation set was given.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy,
    double SamplesPerSecond, bool EpochDone, double? ValidationAccuracy = null);

/// <summary>The summary of one epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TrainAccuracy">Training accuracy (measured in training mode, on the fly).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set, when one was given.</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public readonly record struct EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy,
    double Seconds, double SamplesPerSecond);
