package dev.tripletcuda.knn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.cpu.CpuBackend;
import dev.tripletcuda.verify.ClusteredEmbeddings;
import dev.tripletcuda.verify.LabelledDistances;
import dev.tripletcuda.verify.Pairs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Search and pair distances on the CUDA backend, against the plain reference and the CPU. */
@Tag("gpu")
class KnnIndexGpuTest {

  private static Backend cuda;

  @BeforeAll
  static void open() {
    try {
      cuda = Backends.open(Device.CUDA, 2);
    } catch (DeviceUnavailableException e) {
      assumeTrue(false, "no usable CUDA device: " + e.getMessage());
    }
  }

  @AfterAll
  static void close() {
    if (cuda != null) {
      cuda.close();
    }
  }

  @ParameterizedTest(name = "{0} n={1} q={2} dim={3} k={4}")
  @CsvSource({
      "squared-l2, 1, 1, 1, 1",
      "squared-l2, 1021, 33, 128, 10",
      "squared-l2, 4097, 31, 128, 1024",
      "squared-l2, 4097, 7, 33, 2048",
      "squared-l2, 4097, 5, 128, 4097",
      "cosine, 1021, 13, 31, 100",
      "inner-product, 257, 13, 128, 257",
  })
  void searchMatchesTheReference(String metric, int n, int q, int dim, int k) {
    Metric m = Metric.parse(metric);
    float[] base = ClusteredEmbeddings.random(n * dim, n);
    float[] queries = ClusteredEmbeddings.random(q * dim, q + 1000);
    try (KnnIndex index = KnnIndex.builder(base, dim).metric(m).build(cuda)) {
      KnnIndexTest.assertSameNeighbours(base, queries, dim, k, m, index.search(queries, k));
    }
  }

  @Test
  void pairDistancesMatchTheCpu() {
    ClusteredEmbeddings c = ClusteredEmbeddings.make(1500, 10, 128, 0.2, 3);
    LabelledDistances gpu = Pairs.all(cuda, c.points, c.labels, 128, 1500, 1);
    LabelledDistances cpu;
    try (CpuBackend backend = new CpuBackend(2)) {
      cpu = Pairs.all(backend, c.points, c.labels, 128, 1500, 1);
    }
    assertEquals(cpu.size(), gpu.size());
    for (int i = 0; i < cpu.size(); i++) {
      float want = cpu.distance(i);
      assertEquals(want, gpu.distance(i), 1e-4 + 1e-4 * want, "pair " + i);
      assertEquals(cpu.same(i), gpu.same(i));
    }
  }
}
