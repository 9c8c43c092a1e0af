package dev.tripletcuda.nn;

import dev.tripletcuda.backend.Tensor;
import java.util.List;

/** Updates a flat parameter buffer from its gradient, one step at a time. */
public interface Optimizer extends AutoCloseable {

  /** One update of params (P, 1) from grads (P, 1), in place. */
  void step(Tensor params, Tensor grads);

  /** Steps taken so far. */
  long steps();

  /** Sets the step count, when state is restored from a checkpoint. */
  void setSteps(long steps);

  /** The (P, 1) state buffers (moments, velocity), in a fixed order, for checkpoints. */
  List<Tensor> state();

  @Override
  void close();
}
