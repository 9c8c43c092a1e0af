package dev.tripletcuda.nn;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Tensor;
import java.util.List;

/** Adam with PyTorch's update rule, over one flat buffer: one backend call per step. */
public final class Adam implements Optimizer {

  private final Backend backend;
  private final float lr;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float weightDecay;
  /** (P, 1) first and second moments. */
  private final Tensor m;
  private final Tensor v;
  private long steps;

  public Adam(Backend backend, int parameterCount, float lr, float beta1, float beta2,
      float eps, float weightDecay) {
    requireNonNull("backend", backend);
    OptimizerSpec.checkCommon(parameterCount, lr, weightDecay);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta1=" + beta1 + ", beta2=" + beta2
          + ", expected both in [0, 1)");
    }
    if (!(eps > 0) || Float.isInfinite(eps)) {
      throw new IllegalArgumentException("eps=" + eps + ", expected a finite value > 0");
    }
    this.backend = backend;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.m = backend.allocate(parameterCount, 1);
    this.v = backend.allocate(parameterCount, 1);
  }

  @Override
  public void step(Tensor params, Tensor grads) {
    steps++;
    backend.adamStep(params, grads, m, v, lr, beta1, beta2, eps, weightDecay, steps);
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
    return List.of(m, v);
  }

  @Override
  public void close() {
    m.close();
    v.close();
  }
}
