package dev.tripletcuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tripletcuda.backend.Activation;
import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.TripletLossWorkspace;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.io.AtomicFiles;
import dev.tripletcuda.io.NpyFiles;
import dev.tripletcuda.eval.EvalReport;
import dev.tripletcuda.eval.Evaluation;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.eval.Roc;
import dev.tripletcuda.eval.Reliability;
import dev.tripletcuda.nn.Embedder;
import dev.tripletcuda.verify.Verifier;
import dev.tripletcuda.knn.KnnIndex;
import dev.tripletcuda.knn.Metric;
import dev.tripletcuda.verify.LabelledDistances;
import dev.tripletcuda.verify.LogisticCalibration;
import dev.tripletcuda.verify.Calibration;
import dev.tripletcuda.verify.CalibrationSettings;
import dev.tripletcuda.eval.EvalOptions;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.loss.LossStats;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.loss.TripletLossSpec;
import dev.tripletcuda.nn.Adam;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.EmbeddingNetwork;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.OptimizerSpec;
import dev.tripletcuda.nn.Sgd;
import dev.tripletcuda.train.BatchStats;
import dev.tripletcuda.train.Checkpoint;
import dev.tripletcuda.train.EpochStats;
import dev.tripletcuda.train.PkSampler;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.report.Report;
import dev.tripletcuda.train.TrainResult;
import dev.tripletcuda.train.Trainer;
import dev.tripletcuda.train.TrainingListener;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public constructor and method of the library, given null for one reference argument
 * at a time (the others valid), answers with an {@link IllegalArgumentException} naming the
 * argument, or accepts the null where the Javadoc allows it; a NullPointerException escaping
 * is a missing check. Classes are found on the class path, so new API is covered as it lands.
 */
class NullArgumentsTest {

  /** Records that only carry results, and the command-line tool, which has its own tests. */
  private static final Set<Class<?>> EXEMPT = Set.of(BatchStats.class, EpochStats.class,
      TrainResult.class, LossStats.class, SafeTensors.Contents.class, EvalReport.class,
      Retrieval.Scores.class);

  @TempDir
  Path tmp;

  @Test
  void noPublicMethodAnswersNullWithNullPointerException() throws Exception {
    List<String> missing = new ArrayList<>();
    int calls = 0;
    for (Class<?> type : apiClasses()) {
      for (Executable e : executables(type)) {
        Class<?>[] params = e.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
          if (params[i].isPrimitive()) {
            continue;
          }
          calls++;
          Throwable thrown = call(type, e, i);
          if (thrown instanceof NullPointerException) {
            missing.add(e + " with argument " + i + " null: " + thrown);
          } else if (thrown instanceof IllegalArgumentException iae) {
            String name = e.getParameters()[i].getName();
            if (!name.matches("arg\\d+") && !iae.getMessage().contains(name)
                && !iae.getMessage().contains("null")) {
              missing.add(e + " with " + name + " null: message does not name it: "
                  + iae.getMessage());
            }
          }
        }
      }
    }
    assertTrue(calls > 100, "only " + calls + " calls: are the API classes found?");
    if (!missing.isEmpty()) {
      fail(missing.size() + " public methods do not check a null argument:\n"
          + String.join("\n", missing));
    }
  }

  /** Calls e with argument i null; returns what it threw, or null. */
  private Throwable call(Class<?> type, Executable e, int nullIndex) throws Exception {
    try (CpuBackend backend = new CpuBackend(1)) {
      Samples s = new Samples(backend, tmp);
      Object[] args = new Object[e.getParameterCount()];
      for (int j = 0; j < args.length; j++) {
        args[j] = j == nullIndex ? null : s.of(e.getParameterTypes()[j]);
      }
      try {
        Object result;
        if (e instanceof Constructor<?> c) {
          result = c.newInstance(args);
        } else {
          Method m = (Method) e;
          Object receiver = Modifier.isStatic(m.getModifiers()) ? null : s.of(type);
          result = m.invoke(receiver, args);
        }
        if (result instanceof AutoCloseable closeable && result != backend) {
          closeable.close();
        }
        return null;
      } catch (InvocationTargetException ex) {
        return ex.getCause();
      }
    }
  }

  /** Valid values of every type the API takes, on one backend. */
  private static final class Samples {
    private final Backend backend;
    private final Path dir;

    Samples(Backend backend, Path dir) {
      this.backend = backend;
      this.dir = dir;
    }

    Object of(Class<?> t) {
      if (t == int.class) {
        return 2;
      } else if (t == long.class) {
        return 1L;
      } else if (t == float.class) {
        return 0.5f;
      } else if (t == double.class) {
        return 0.5;
      } else if (t == boolean.class) {
        return false;
      } else if (t == Backend.class || t == CpuBackend.class) {
        return backend;
      } else if (t == Tensor.class) {
        return backend.allocate(2, 2);
      } else if (t == IntTensor.class) {
        return backend.allocateInts(2);
      } else if (t == TripletLossWorkspace.class) {
        return backend.allocateTripletLossWorkspace(2);
      } else if (t == float[].class) {
        return new float[4];
      } else if (t == byte[].class) {
        return new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 0};
      } else if (t == int[].class) {
        return new int[] {0, 1};
      } else if (t == long[].class) {
        return new long[] {4};
      } else if (t == String.class) {
        return "x";
      } else if (t == Path.class) {
        return dir.resolve("file");
      } else if (t == List.class || t == Collection.class) {
        return List.of("a", "b");
      } else if (t == Map.class) {
        return Map.of();
      } else if (t == Dataset.class) {
        return new Dataset("d", Dataset.Kind.NUMBERS, new float[] {0, 1, 2, 3}, 2, 2,
            new int[] {0, 1}, List.of("a", "b"), null);
      } else if (t == Dataset.Kind.class) {
        return Dataset.Kind.NUMBERS;
      } else if (t == NetworkSpec.class) {
        return new NetworkSpec(2, new int[] {2}, true);
      } else if (t == InputTransform.class) {
        return InputTransform.identity(2);
      } else if (t == EmbeddingModel.class) {
        return new EmbeddingModel((NetworkSpec) of(NetworkSpec.class), new float[6],
            InputTransform.identity(2), Map.of());
      } else if (t == EmbeddingNetwork.class) {
        return new EmbeddingNetwork(backend, (NetworkSpec) of(NetworkSpec.class), 2);
      } else if (t == RandomGenerator.class || t == SplitMix64.class) {
        return new SplitMix64(1);
      } else if (t == TrainConfig.class) {
        return TrainConfig.defaults();
      } else if (t == TrainConfig.Builder.class) {
        return TrainConfig.builder();
      } else if (t == Trainer.class) {
        return new Trainer(backend, TrainConfig.defaults());
      } else if (t == TrainingListener.class) {
        return TrainingListener.NONE;
      } else if (t == PkSampler.class) {
        return new PkSampler(new int[] {0, 0, 1, 1}, 2, 2, 2, null, new SplitMix64(1));
      } else if (t == TripletLossSpec.class) {
        return TripletLossSpec.DEFAULT;
      } else if (t == Mining.class) {
        return Mining.BATCH_ALL;
      } else if (t == Reduction.class) {
        return Reduction.MEAN;
      } else if (t == Activation.class) {
        return Activation.RELU;
      } else if (t == Device.class) {
        return Device.CPU;
      } else if (t == OptimizerSpec.class) {
        return OptimizerSpec.DEFAULT;
      } else if (t == OptimizerSpec.Kind.class) {
        return OptimizerSpec.Kind.ADAM;
      } else if (t == Adam.class) {
        return new Adam(backend, 2, 0.1f, 0.9f, 0.99f, 1e-8f, 0f);
      } else if (t == Sgd.class) {
        return new Sgd(backend, 2, 0.1f, 0.9f, 0f);
      } else if (t == AtomicFiles.Writer.class) {
        return (AtomicFiles.Writer) out -> out.write(1);
      } else if (t == SafeTensors.Entry.class) {
        return new SafeTensors.Entry(new long[] {1}, new float[1]);
      } else if (t == SafeTensors.Contents.class) {
        return new SafeTensors.Contents(Map.of(), Map.of());
      } else if (t == Checkpoint.class) {
        return new Checkpoint(TrainConfig.defaults(), (NetworkSpec) of(NetworkSpec.class),
            InputTransform.identity(2), new float[6], List.of(), 0, new int[0], 1, 0, 0, 0,
            List.of());
      } else if (t == EvalOptions.class) {
        return EvalOptions.defaults(1);
      } else if (t == CalibrationSettings.class) {
        return CalibrationSettings.defaults(1);
      } else if (t == Calibration.Method.class) {
        return Calibration.Method.LOGISTIC;
      } else if (t == Calibration.class || t == LogisticCalibration.class) {
        return new LogisticCalibration(1, -1);
      } else if (t == LabelledDistances.class) {
        return new LabelledDistances(new float[] {0.1f, 0.9f}, new boolean[] {true, false});
      } else if (t == double[].class) {
        return new double[] {0.5, 1.5};
      } else if (t == boolean[].class) {
        return new boolean[] {true, false};
      } else if (t == Metric.class) {
        return Metric.SQUARED_L2;
      } else if (t == KnnIndex.Builder.class) {
        return KnnIndex.builder(new float[] {0, 1, 2, 3}, 2);
      } else if (t == KnnIndex.class) {
        return KnnIndex.builder(new float[] {0, 1, 2, 3}, 2).build(backend);
      } else if (t == Verifier.class) {
        return Verifier.of(new LogisticCalibration(1, -1), new LogisticCalibration(1, -1), 3);
      } else if (t == Embedder.class) {
        return new Embedder((EmbeddingModel) of(EmbeddingModel.class), backend);
      } else if (t == dev.tripletcuda.io.Samples.class) {
        return new dev.tripletcuda.io.Samples((Dataset) of(Dataset.class), true);
      } else if (t == Roc.class) {
        return Roc.of((LabelledDistances) of(LabelledDistances.class), 10);
      } else if (t == Reliability.class) {
        return Reliability.of(new double[] {0.2, 0.8}, new boolean[] {false, true}, 2);
      } else if (t == NpyFiles.Matrix.class) {
        return new NpyFiles.Matrix(new float[] {0, 1, 2, 3}, 2, 2);
      } else if (t == java.awt.image.BufferedImage.class) {
        return new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
      } else if (t == Report.Builder.class) {
        return Report.builder("t");
      } else if (t == Report.class) {
        return Report.builder("t").build();
      } else if (t == Report.Figure.class) {
        return new Report.Figure("a.png", "c",
            (java.awt.image.BufferedImage) of(java.awt.image.BufferedImage.class));
      } else if (t == Report.Row.class) {
        return new Report.Row("s", "n", "v");
      } else if (t == Evaluation.Embedded.class) {
        Dataset d = (Dataset) of(Dataset.class);
        return new Evaluation.Embedded(d, d, new float[] {0, 1, 2, 3}, new float[] {0, 1, 2, 3},
            2, (Verifier) of(Verifier.class));
      } else if (t == EvalReport.class) {
        return Evaluation.run(backend, (Evaluation.Embedded) of(Evaluation.Embedded.class),
            EvalOptions.defaults(1));
      } else if (t == TrainResult.class) {
        return new TrainResult((EmbeddingModel) of(EmbeddingModel.class), List.of(), List.of(),
            0, 0, List.of());
      } else if (t == Object.class) {
        return new Object();
      }
      throw new IllegalStateException("no sample value of " + t.getName()
          + "; add one to " + Samples.class.getName());
    }
  }

  /** Public, non-exempt classes of the library, found under the compiled classes. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    Path root = Path.of(Backend.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    try (Stream<Path> files = Files.walk(root.resolve("dev/tripletcuda"))) {
      return files.map(p -> root.relativize(p).toString())
          // The CUDA backend needs a device to construct; it runs the same Shapes checks as
          // the CPU backend, and its GPU tests call it with bad arguments.
          .filter(n -> n.endsWith(".class") && !n.startsWith("dev/tripletcuda/cli/")
              && !n.startsWith("dev/tripletcuda/backend/cuda/")
              && !n.matches(".*\\$\\d.*"))
          .map(n -> n.substring(0, n.length() - 6).replace('/', '.'))
          .sorted()
          .map(NullArgumentsTest::load)
          .filter(c -> Modifier.isPublic(c.getModifiers()) && !c.isInterface()
              && !Throwable.class.isAssignableFrom(c) && !EXEMPT.contains(c)
              && (c.getEnclosingClass() == null || Modifier.isStatic(c.getModifiers())))
          .collect(Collectors.toList());
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, NullArgumentsTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Public constructors and methods declared by the class, but not an enum's valueOf. */
  private static List<Executable> executables(Class<?> type) {
    List<Executable> all = new ArrayList<>(Arrays.asList(type.getConstructors()));
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
          && !(type.isEnum() && m.getName().equals("valueOf"))) {
        all.add(m);
      }
    }
    return all;
  }
}
