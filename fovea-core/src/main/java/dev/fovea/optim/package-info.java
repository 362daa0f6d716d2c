/**
 * Optimizers with Keras 3 update rules and defaults ({@link dev.fovea.optim.SGD},
 * {@link dev.fovea.optim.Adam}, {@link dev.fovea.optim.AdamW}), parameter groups with their
 * own learning-rate multiplier and weight decay, and learning-rate schedules indexed by the
 * global step. Optimizers read {@code Param.grad()} and update {@code Param.value()} in place;
 * they never touch non-trainable or frozen parameters ({@code Param.updatable()}) and never zero
 * gradients (the trainer does).
 */
package dev.fovea.optim;
