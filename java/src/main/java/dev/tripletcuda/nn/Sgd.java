package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;
import java.util.List;

/** SGD with momentum, PyTorch's rule without dampening, over one flat buffer. */
public final class Sgd implements Optimizer {

  private final Backend backend;
  private final float lr;
  private final float momentum;
  private final float weightDecay;
  /** (P, 1) the momentum buffer. */
  private final Tensor velocity;
  private long steps;

  public Sgd(Backend backend, int parameterCount, float lr, float momentum, float weightDecay) {
    requireNonNull("backend", backend);
    OptimizerSpec.checkCommon(parameterCount, lr, weightDecay);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum=" + momentum + ", expected 0 <= momentum < 1");
    }
    this.backend = backend;
    this.lr = lr;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.velocity = backend.allocate(parameterCount, 1);
  }

  @Override
  public void step(Tensor params, Tensor grads) {
    steps++;
    backend.sgdStep(params, grads, velocity, lr, momentum, weightDecay);
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public void setSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps=" + steps + ", expected >= 0");
    }
    this.steps = steps;
  }

  @Override
  public List<Tensor> state() {
    return List.of(velocity);
  }

  @Override
  public void close() {
    velocity.close();
  }
}
