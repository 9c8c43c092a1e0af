package dev.tripletcuda.backend.cuda;

import static dev.tripletcuda.backend.cuda.CudaTestSupport.assertClose;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.gaussian;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.tensor;
import static dev.tripletcuda.backend.cuda.CudaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.DeviceUnavailableException;
import dev.tripletcuda.backend.Tensor;
import dev.tripletcuda.backend.cpu.CpuBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device-level behaviour of the CUDA backend: how it reports running out of memory, use
 * after close, the synchronise-after-every-launch switch, the NVRTC path, and its description.
 */
@Tag("gpu")
class CudaDeviceTest {

  private final SplittableRandom rng = new SplittableRandom(3);

  @Test
  void outOfMemoryNamesTheBytesAskedForAndFree() {
    try (CudaBackend gpu = CudaTestSupport.open(CudaOptions.fromEnvironment())) {
      long before = gpu.liveBuffers();
      DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
          () -> gpu.allocate(1 << 20, 1 << 20));
      assertEquals(4L << 40, e.requestedBytes());
      assertTrue(e.freeBytes() > 0 && e.freeBytes() < e.requestedBytes(), e.getMessage());
      assertTrue(e.getMessage().contains("4,398,046,511,104 bytes")
          && e.getMessage().contains("are free"), e.getMessage());
      assertEquals(before, gpu.liveBuffers(), "a failed allocation is not counted");
      // The failure is not sticky: the device keeps working.
      try (Tensor t = gpu.allocate(3, 3)) {
        gpu.fill(t, 2f);
        assertEquals(18.0, gpu.sum(t));
      }
    }
  }

  @Test
  void aClosedBackendRefusesWorkAndClosesOnce() {
    CudaBackend gpu = CudaTestSupport.open(CudaOptions.fromEnvironment());
    Tensor t = gpu.allocate(2, 2);
    gpu.close();
    gpu.close();
    assertEquals(0, gpu.liveBuffers());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> gpu.allocate(1, 1));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    t.close();  // harmless after the backend freed it
  }

  @Test
  void synchronisingAfterEveryLaunchGivesTheSameResults() {
    float[] x = gaussian(rng, 257 * 33);
    float[] want;
    try (CpuBackend cpu = new CpuBackend(2)) {
      want = distances(cpu, x);
    }
    try (CudaBackend gpu = CudaTestSupport.open(
        CudaOptions.fromEnvironment().withSyncEachLaunch(true))) {
      assertClose("pairwise distances, synchronised launches", want, distances(gpu, x), 1e-4,
          1e-4);
    }
  }

  private static float[] distances(Backend be, float[] x) {
    try (Tensor t = tensor(be, 257, 33, x); Tensor out = be.allocate(257, 257)) {
      be.pairwiseSquaredL2(t, t, out);
      return values(out);
    }
  }

  @Test
  void nvrtcCompilesTheShippedSourcesWhereItLoads() {
    CudaTestSupport.assumeDevice();
    CudaBackend gpu;
    try {
      gpu = CudaBackend.open(CudaOptions.fromEnvironment().withNvrtcOnly(true));
    } catch (DeviceUnavailableException e) {
      // Without libnvrtc.so.12 the message must say so, in one line.
      assertTrue(e.getMessage().contains("NVRTC") && !e.getMessage().contains("\n"),
          e.getMessage());
      org.junit.jupiter.api.Assumptions.abort("NVRTC is not usable here: " + e.getMessage());
      return;
    }
    try (gpu) {
      assertTrue(gpu.description().contains("NVRTC"), gpu.description());
      float[] x = gaussian(rng, 257 * 33);
      float[] want;
      try (CpuBackend cpu = new CpuBackend(2)) {
        want = distances(cpu, x);
      }
      assertClose("pairwise distances from NVRTC kernels", want, distances(gpu, x), 1e-4,
          1e-4);
    }
  }

  @Test
  void theDescriptionNamesTheDeviceAndTheMatrixProducts() {
    try (CudaBackend gpu = CudaTestSupport.open(CudaOptions.fromEnvironment())) {
      String d = gpu.description();
      assertTrue(d.contains(gpu.deviceName()) && d.contains("sm_") && d.contains("driver"), d);
      assertTrue(d.contains(gpu.usesCublas() ? "cuBLAS" : "tiled SGEMM"), d);
      assertEquals("cuda", gpu.name());
    }
  }
}
