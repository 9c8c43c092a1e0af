package dev.tripletcuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.IntTensor;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.eval.Retrieval;
import dev.tripletcuda.io.Dataset;
import dev.tripletcuda.io.InputTransform;
import dev.tripletcuda.io.SafeTensors;
import dev.tripletcuda.loss.Mining;
import dev.tripletcuda.loss.Reduction;
import dev.tripletcuda.nn.Adam;
import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.EmbeddingNetwork;
import dev.tripletcuda.nn.NetworkSpec;
import dev.tripletcuda.nn.Sgd;
import dev.tripletcuda.train.PkSampler;
import dev.tripletcuda.train.SplitMix64;
import dev.tripletcuda.train.TrainConfig;
import dev.tripletcuda.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments to the public API (sizes that do not match, k out of range, empty data, labels
 * out of range, indices that would overflow) throw {@link IllegalArgumentException} naming the
 * argument, the value and what was expected, never an index or null-pointer exception.
 */
class ApiPreconditionsTest {

  @TempDir
  Path dir;

  private final Backend cpu = new CpuBackend(1);

  @AfterEach
  void close() {
    cpu.close();
  }

  /** One call and the fragments its message must hold. */
  private record Case(String name, Executable call, String... fragments) {}

  private static Dataset data(int rows, int dim, int classes) {
    int[] labels = new int[rows];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      labels[i] = i % classes;
    }
    for (int c = 0; c < classes; c++) {
      names.add("c" + c);
    }
    return new Dataset("d", Dataset.Kind.NUMBERS, new float[rows * dim], rows, dim, labels,
        names, null);
  }

  private List<Case> cases() {
    NetworkSpec spec = new NetworkSpec(3, new int[] {4, 2}, true);
    SplitMix64 rng = new SplitMix64(1);
    int[] labels = {0, 0, 1, 1};
    Tensor e4 = cpu.allocate(4, 2);
    Tensor b4 = cpu.allocate(4, 2);
    IntTensor i4 = cpu.allocateInts(4);
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    Map<String, SafeTensors.Entry> reserved = new LinkedHashMap<>();
    reserved.put(SafeTensors.METADATA_KEY, new SafeTensors.Entry(new long[] {1}, new float[1]));
    PkSampler sampler = new PkSampler(labels, 2, 2, 2, null, new SplitMix64(1));
    int[] state = sampler.saveState();
    int[] badCursor = state.clone();
    badCursor[2] = 99;
    int[] otherRows = state.clone();
    otherRows[otherRows.length - 1] = 0;

    return List.of(
        // nn
        new Case("NetworkSpec.in beyond the last layer", () -> spec.in(2),
            "layer=2", "expected 0..1"),
        new Case("NetworkSpec.weightOffset below 0", () -> spec.weightOffset(-1),
            "layer=-1", "expected 0..2"),
        new Case("EmbeddingNetwork batch above maxBatch",
            () -> new EmbeddingNetwork(cpu, spec, 2).forward(cpu.allocate(3, 3)),
            "batch of 3 rows", "expected 1..2"),
        new Case("EmbeddingNetwork input of another width",
            () -> new EmbeddingNetwork(cpu, spec, 4).forward(cpu.allocate(2, 5)),
            "x is (2, 5)", "expected (2, 3)"),
        new Case("EmbeddingModel with a null metadata value",
            () -> new EmbeddingModel(spec, new float[(int) spec.parameterCount()],
                InputTransform.identity(3), nullValue), "metadata entry k=null"),
        new Case("EmbeddingModel embedding rows of another width",
            () -> new EmbeddingModel(spec, new float[(int) spec.parameterCount()],
                InputTransform.identity(3), Map.of()).embed(cpu, data(4, 5, 2)),
            "has 5 features per row", "takes 3"),
        new Case("Adam with beta1 = 1", () -> new Adam(cpu, 4, 0.1f, 1f, 0.9f, 1e-8f, 0),
            "beta1=1.0", "expected both in [0, 1)"),
        new Case("Adam with no parameters", () -> new Adam(cpu, 0, 0.1f, 0.9f, 0.9f, 1e-8f, 0),
            "parameterCount=0", "expected >= 1"),
        new Case("Sgd with momentum 1", () -> new Sgd(cpu, 4, 0.1f, 1f, 0),
            "momentum=1.0", "expected 0 <= momentum < 1"),
        new Case("Sgd with a NaN learning rate", () -> new Sgd(cpu, 4, Float.NaN, 0f, 0),
            "learning rate=NaN", "expected a finite value > 0"),
        new Case("optimiser steps below 0",
            () -> new Sgd(cpu, 4, 0.1f, 0f, 0).setSteps(-1), "steps=-1", "expected >= 0"),

        // train
        new Case("PkSampler label beyond classCount",
            () -> new PkSampler(new int[] {0, 1, 7}, 2, 2, 2, null, rng),
            "labels[2]=7", "expected 0..1 (classCount=2)"),
        new Case("PkSampler negative label",
            () -> new PkSampler(new int[] {-1}, 2, 2, 2, null, rng), "labels[0]=-1"),
        new Case("PkSampler class names of another count",
            () -> new PkSampler(labels, 2, 2, 2, List.of("a"), rng),
            "classNames has 1 names", "expected classCount=2"),
        new Case("PkSampler batch arrays too short",
            () -> sampler.next(new int[3], new int[4]), "rows has 3", "expected at least P*K=4"),
        new Case("PkSampler state with a cursor out of range",
            () -> sampler.restoreState(badCursor), "class cursor 99", "expected 0..2"),
        new Case("PkSampler state of other rows",
            () -> sampler.restoreState(otherRows), "is not a reordering"),
        new Case("Trainer on an empty dataset",
            () -> new Trainer(cpu, TrainConfig.defaults()).fit(data(0, 3, 1), null),
            "training data d has no rows", "expected at least one batch of 160"),
        new Case("TrainConfig batch above 65536",
            () -> TrainConfig.builder().classesPerBatch(300).perClass(300).build(),
            "batch of 300 x 300 rows", "expected at most 65536"),

        // io
        new Case("Dataset label out of range",
            () -> new Dataset("d", Dataset.Kind.NUMBERS, new float[2], 2, 1, new int[] {0, 5},
                List.of("a", "b"), null), "label[1]=5", "expected 0..1"),
        new Case("Dataset features of another size",
            () -> new Dataset("d", Dataset.Kind.NUMBERS, new float[3], 2, 2, new int[] {0, 0},
                List.of("a"), null), "2 rows of dim 2 need 4 values", "got 3 values"),
        new Case("Dataset null class name",
            () -> new Dataset("d", Dataset.Kind.NUMBERS, new float[1], 1, 1, new int[] {0},
                Collections.singletonList(null), null), "classNames[0] is null"),
        new Case("Dataset.subset index out of range",
            () -> data(4, 2, 2).subset(new int[] {0, 4}, "s"), "indices[1]=4", "expected 0..3"),
        new Case("Dataset.subset beyond one array",
            () -> data(1, 1 << 20, 1).subset(new int[1 << 12], "s"), "exceed one array"),
        new Case("Dataset.split fraction 1", () -> data(4, 2, 2).split(1, 1),
            "testFraction=1.0", "expected (0, 1)"),
        new Case("InputTransform of no features", () -> InputTransform.identity(0),
            "dim=0", "expected >= 1"),
        new Case("InputTransform rows of another width",
            () -> InputTransform.identity(3).apply(new float[4], 2),
            "raw has 4 values", "expected 2 x 3"),
        new Case("SafeTensors tensor named like the metadata",
            () -> SafeTensors.write(dir.resolve("m.safetensors"), reserved, null),
            "expected a name other than __metadata__"),
        new Case("SafeTensors entry whose shape overflows",
            () -> new SafeTensors.Entry(new long[] {1L << 32, 1L << 31, 1}, new float[0]),
            "holds too many values", "got 0"),
        new Case("SafeTensors entry with a negative size",
            () -> new SafeTensors.Entry(new long[] {2, -1}, new float[0]),
            "shape[1]=-1", "expected a size >= 0"),

        // backend
        new Case("knn with k = 0",
            () -> cpu.knn(e4, b4, cpu.allocate(4, 1), 0, false, i4, cpu.allocate(4, 0)),
            "k=0", "expected 1..4"),
        new Case("knn with k above the base rows",
            () -> cpu.knn(e4, b4, cpu.allocate(4, 1), 5, false, cpu.allocateInts(20),
                cpu.allocate(4, 5)), "k=5", "expected 1..4"),
        new Case("knn with queries of another width",
            () -> cpu.knn(cpu.allocate(4, 3), b4, cpu.allocate(4, 1), 1, false, i4,
                cpu.allocate(4, 1)), "query dim 3 != base dim 2"),
        new Case("gemm with inner sizes that differ",
            () -> cpu.gemm(false, false, 1, e4, b4, 0, cpu.allocate(4, 2)),
            "gemm inner sizes differ", "op(a) is (4, 2)", "op(b) is (4, 2)"),
        new Case("explicit triplet loss with a row out of range, straight to the backend",
            () -> {
              cpu.upload(new int[] {0, 1, 2, 3}, 0, i4);
              IntTensor pos = cpu.allocateInts(4);
              cpu.upload(new int[] {1, 0, 9, 2}, 0, pos);
              cpu.tripletLossExplicit(e4, i4, pos, i4, 0.2f, Reduction.SUM, null);
            }, "triplet 2 is (2, 9, 2)", "expected rows in 0..3"),
        new Case("tensor rows whose end overflows",
            () -> e4.rows(1, Integer.MAX_VALUE), "rows [1, 2147483648)", "4 rows"),
        new Case("int tensor slice whose end overflows",
            () -> i4.slice(2, Integer.MAX_VALUE), "slice [2, 2147483649)", "4 ints"),
        new Case("upload past the end of the source",
            () -> cpu.upload(new float[5], 2, e4), "src has 5 elements",
            "too few for 8 at offset 2"),
        new Case("backend on zero threads", () -> new CpuBackend(0),
            "threads=0", "expected >= 1"),

        // loss and eval
        new Case("mining by a null name", () -> Mining.parse(null), "mining is null"),
        new Case("precision@1 with dim 0",
            () -> Retrieval.precisionAtOne(cpu, new float[0], new int[2], new float[0],
                new int[1], 0), "dim=0", "expected >= 1"),
        new Case("precision@1 with embeddings of another size",
            () -> Retrieval.precisionAtOne(cpu, new float[6], new int[2], new float[2],
                new int[1], 2), "do not match 2 and 1 labels of dim 2"),
        new Case("precision@1 without training embeddings",
            () -> Retrieval.precisionAtOne(cpu, new float[0], new int[0], new float[2],
                new int[1], 2), "no training embeddings"));
  }

  @TestFactory
  Stream<DynamicTest> badArgumentsThrowIllegalArgumentNamingValueAndExpectation() {
    return cases().stream().map(c -> dynamicTest(c.name(), () -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.call(),
          c.name());
      for (String fragment : c.fragments()) {
        assertTrue(e.getMessage().contains(fragment), c.name() + ": '" + fragment
            + "' missing from: " + e.getMessage());
      }
    }));
  }
}
