package dev.fovea.train;

import java.util.Map;

/**
 * Keras {@code TerminateOnNaN}: stops training as soon as a batch's loss is NaN or infinite,
 * with a message saying where and what to try. No file is written after that batch, so the last
 * good checkpoint stays as it was.
 */
public final class TerminateOnNaN implements Callback {
    private boolean triggered;

    @Override
    public void onBatchEnd(TrainContext ctx, int step, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && (loss.isNaN() || loss.isInfinite()) && !triggered) {
            triggered = true;
            ctx.stop("TerminateOnNaN: the loss became " + loss + " at batch " + step
                    + "; training stopped and the last good checkpoint was kept. Try a lower learning rate"
                    + " (--lr) or check the input data for NaN values");
        }
    }

    public boolean triggered() {
        return triggered;
    }
}
