package dev.tripletcuda.nn;

import dev.tripletcuda.backend.Backend;
import java.util.Locale;

/**
 * Which optimiser and its settings.
 *
 * @param kind adam or sgd
 * @param learningRate &gt; 0
 * @param momentum SGD's momentum in [0, 1); ignored by Adam
 * @param weightDecay L2 penalty added to the gradient, &gt;= 0
 */
public record OptimizerSpec(Kind kind, float learningRate, float momentum, float weightDecay) {

  /** The optimisers. */
  public enum Kind {
    ADAM, SGD;

    /** Parses adam or sgd. */
    public static Kind parse(String name) {
      if (name == null) {
        throw new IllegalArgumentException("optimizer is null, expected adam or sgd");
      }
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("optimizer='" + name + "', expected adam or sgd");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Adam with learning rate 1e-3, PyTorch's betas (0.9, 0.999) and eps 1e-8, no decay. */
  public static final OptimizerSpec DEFAULT = new OptimizerSpec(Kind.ADAM, 1e-3f, 0f, 0f);

  /** SGD's default learning rate, used when none is given. */
  public static final float SGD_DEFAULT_LR = 0.01f;

  /** SGD's default momentum. */
  public static final float SGD_DEFAULT_MOMENTUM = 0.9f;

  public OptimizerSpec {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer kind is null, expected adam or sgd");
    }
    checkRates(learningRate, weightDecay);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum=" + momentum + ", expected 0 <= momentum < 1");
    }
  }

  private static void checkRates(float learningRate, float weightDecay) {
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate=" + learningRate
          + ", expected a finite value > 0");
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay=" + weightDecay
          + ", expected a finite value >= 0");
    }
  }

  /** The checks every optimiser's constructor shares. */
  static void checkCommon(int parameterCount, float learningRate, float weightDecay) {
    if (parameterCount < 1) {
      throw new IllegalArgumentException("parameterCount=" + parameterCount + ", expected >= 1");
    }
    checkRates(learningRate, weightDecay);
  }

  /** A new optimiser over P parameters on backend. */
  public Optimizer create(Backend backend, int parameterCount) {
    return kind == Kind.ADAM
        ? new Adam(backend, parameterCount, learningRate, 0.9f, 0.999f, 1e-8f, weightDecay)
        : new Sgd(backend, parameterCount, learningRate, momentum, weightDecay);
  }
}
