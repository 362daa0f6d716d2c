package dev.fovea.train;

import dev.fovea.nn.Model;
import dev.fovea.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;

/** What a {@link Callback} may see and change during {@code fit}. */
public interface TrainContext {
    Model model();

    Optimizer optimizer();

    History history();

    /** Asks training to stop after the current batch; {@code reason} is printed. */
    void stop(String reason);

    boolean stopRequested();

    /** Factor applied to every group's learning rate (ReduceLROnPlateau lowers it). */
    double learningRateScale();

    void setLearningRateScale(double scale);

    /** The learning rate the next step uses: the optimizer's schedule times the scale. */
    default double learningRate() {
        return optimizer().learningRate() * learningRateScale();
    }

    /** Writes the model file (weights and metadata) atomically. */
    void saveModel(Path file) throws IOException;

    /** Writes a full training checkpoint (model, optimizer, epoch, RNG, history) atomically. */
    void saveCheckpoint(Path file) throws IOException;
}
