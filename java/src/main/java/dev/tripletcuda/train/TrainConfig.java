package dev.tripletcuda.train;

import dev.tripletcuda.backend.Shapes;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.OptimizerSpec;
import java.util.Arrays;

/**
 * Everything that decides a training run besides the data and the backend. Build with
 * {@link #builder()}; every value is checked when set.
 */
public final class TrainConfig {

  private final int[] layers;
  private final boolean normalize;
  private final TripletLossSpec loss;
  private final int classesPerBatch;
  private final int perClass;
  private final int epochs;
  private final OptimizerSpec optimizer;
  private final long seed;

  private TrainConfig(Builder b) {
    this.layers = b.layers.clone();
    this.normalize = b.normalize;
    this.loss = b.loss;
    this.classesPerBatch = b.classesPerBatch;
    this.perClass = b.perClass;
    this.epochs = b.epochs;
    this.optimizer = b.optimizer;
    this.seed = b.seed;
  }

  /** The defaults: layers 256,128, L2-normalised, batch-all, margin 0.2, mean-active,
   *  10 classes x 16 samples, 10 epochs, Adam 1e-3, seed 42. */
  public static TrainConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder().layers(layers).normalize(normalize).loss(loss)
        .classesPerBatch(classesPerBatch).perClass(perClass).epochs(epochs)
        .optimizer(optimizer).seed(seed);
  }

  /** Hidden and output layer sizes. */
  public int[] layers() {
    return layers.clone();
  }

  public boolean normalize() {
    return normalize;
  }

  public TripletLossSpec loss() {
    return loss;
  }

  public int classesPerBatch() {
    return classesPerBatch;
  }

  public int perClass() {
    return perClass;
  }

  /** P * K. */
  public int batchSize() {
    return classesPerBatch * perClass;
  }

  public int epochs() {
    return epochs;
  }

  public OptimizerSpec optimizer() {
    return optimizer;
  }

  public long seed() {
    return seed;
  }

  /** The network for inputs of the given size. */
  public NetworkSpec network(int inputDim) {
    return new NetworkSpec(inputDim, layers, normalize);
  }

  /** The settings as string key/values, for model and checkpoint metadata. */
  public java.util.Map<String, String> toMetadata() {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("layers", java.util.Arrays.stream(layers).mapToObj(Integer::toString)
        .collect(java.util.stream.Collectors.joining(",")));
    m.put("normalize", Boolean.toString(normalize));
    m.put("mining", loss.mining().id());
    m.put("margin", Float.toString(loss.margin()));
    m.put("reduction", loss.reduction().id());
    m.put("classes_per_batch", Integer.toString(classesPerBatch));
    m.put("per_class", Integer.toString(perClass));
    m.put("epochs", Integer.toString(epochs));
    m.put("optimizer", optimizer.kind().toString());
    m.put("lr", Float.toString(optimizer.learningRate()));
    m.put("momentum", Float.toString(optimizer.momentum()));
    m.put("weight_decay", Float.toString(optimizer.weightDecay()));
    m.put("seed", Long.toString(seed));
    return m;
  }

  /**
   * Reads settings written by {@link #toMetadata()}.
   *
   * @throws IllegalArgumentException naming the missing or bad entry
   */
  public static TrainConfig fromMetadata(java.util.Map<String, String> m) {
    Shapes.requireNonNull("m", m);
    try {
      return builder()
          .layers(dev.tripletcuda.nn.NetworkSpec.parseLayers(get(m, "layers")))
          .normalize(Boolean.parseBoolean(get(m, "normalize")))
          .loss(new TripletLossSpec(dev.tripletcuda.loss.Mining.parse(get(m, "mining")),
              Float.parseFloat(get(m, "margin")),
              dev.tripletcuda.loss.Reduction.parse(get(m, "reduction"))))
          .classesPerBatch(Integer.parseInt(get(m, "classes_per_batch")))
          .perClass(Integer.parseInt(get(m, "per_class")))
          .epochs(Integer.parseInt(get(m, "epochs")))
          .optimizer(new OptimizerSpec(OptimizerSpec.Kind.parse(get(m, "optimizer")),
              Float.parseFloat(get(m, "lr")), Float.parseFloat(get(m, "momentum")),
              Float.parseFloat(get(m, "weight_decay"))))
          .seed(Long.parseLong(get(m, "seed")))
          .build();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("training settings: " + e.getMessage());
    }
  }

  private static String get(java.util.Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("training setting '" + key + "' is missing");
    }
    return v;
  }

  /** Whether two configurations train the same way, the number of epochs aside. */
  public boolean sameTrainingAs(TrainConfig o) {
    Shapes.requireNonNull("o", o);
    java.util.Map<String, String> a = toMetadata();
    java.util.Map<String, String> b = o.toMetadata();
    a.remove("epochs");
    b.remove("epochs");
    return a.equals(b);
  }

  @Override
  public String toString() {
    return "layers " + Arrays.toString(layers) + (normalize ? " normalised" : "") + ", "
        + loss.mining() + " margin " + loss.margin() + " " + loss.reduction() + ", "
        + classesPerBatch + "x" + perClass + ", " + epochs + " epochs, " + optimizer.kind()
        + " lr " + optimizer.learningRate() + ", seed " + seed;
  }

  /** Collects the settings; each setter checks its value. */
  public static final class Builder {
    private int[] layers = NetworkSpec.DEFAULT_LAYERS.clone();
    private boolean normalize = true;
    private TripletLossSpec loss = TripletLossSpec.DEFAULT;
    private int classesPerBatch = 10;
    private int perClass = 16;
    private int epochs = 10;
    private OptimizerSpec optimizer = OptimizerSpec.DEFAULT;
    private long seed = 42;

    private Builder() {}

    public Builder layers(int... sizes) {
      new NetworkSpec(1, sizes, true);
      this.layers = sizes.clone();
      return this;
    }

    public Builder normalize(boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    public Builder loss(TripletLossSpec loss) {
      if (loss == null) {
        throw new IllegalArgumentException("loss is null");
      }
      this.loss = loss;
      return this;
    }

    public Builder classesPerBatch(int p) {
      if (p < 2) {
        throw new IllegalArgumentException("classes per batch=" + p + ", expected >= 2");
      }
      this.classesPerBatch = p;
      return this;
    }

    public Builder perClass(int k) {
      if (k < 2) {
        throw new IllegalArgumentException("samples per class=" + k + ", expected >= 2");
      }
      this.perClass = k;
      return this;
    }

    public Builder epochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs=" + epochs + ", expected >= 1");
      }
      this.epochs = epochs;
      return this;
    }

    public Builder optimizer(OptimizerSpec optimizer) {
      if (optimizer == null) {
        throw new IllegalArgumentException("optimizer is null");
      }
      this.optimizer = optimizer;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public TrainConfig build() {
      if ((long) classesPerBatch * perClass > 1 << 16) {
        throw new IllegalArgumentException("batch of " + classesPerBatch + " x " + perClass
            + " rows, expected at most 65536");
      }
      return new TrainConfig(this);
    }
  }
}
