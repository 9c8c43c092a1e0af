package dev.tripletcuda.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemHostGetDevicePointer;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.tripletcuda.backend.DeviceUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CUDA device as the backend uses it: the device's primary context, one stream on which all
 * work is queued in order, the loaded kernel modules, device memory, pinned staging for
 * transfers, and the fault word through which kernels report bad indices.
 *
 * <p>Every failure of the driver is reported with what was being done: a launch names the kernel
 * and its grid and block, an allocation the bytes asked for and free. With
 * {@link CudaOptions#syncEachLaunch()} every launch is waited for, so that an asynchronous fault
 * is blamed on the kernel that caused it rather than on a later synchronisation.
 *
 * <p>JCuda's exceptions are switched on once for the whole JVM: every driver call either
 * succeeds or throws {@link CudaException}.
 */
final class CudaDevice implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CudaDevice.class);

  /** The device whose context is current on each thread, so that switching is rare. */
  private static final ThreadLocal<CudaDevice> CURRENT = new ThreadLocal<>();

  /** Fault codes written by kernels (common.cuh). */
  static final int FAULT_GATHER_INDEX = 1;
  static final int FAULT_TRIPLET_INDEX = 2;

  final CudaOptions options;
  final String name;
  final int ccMajor;
  final int ccMinor;
  final int multiprocessors;
  final long totalMemory;
  final int driverVersion;
  final String kernelOrigin;

  private final CUdevice device;
  private final CUcontext context;
  final CUstream stream;
  private final Map<String, CUmodule> modules;
  private final PinnedStaging staging;
  /** int[4] {code, a, b, c} in mapped host memory; the device writes, the host reads. */
  private final Pointer faultHost;
  private final IntBuffer fault;
  private final DevicePointer faultDevice;

  private Kernel lastKernel;
  private int lastGridX;
  private int lastGridY;
  private int lastBlock;
  private int lastShared;
  private boolean closed;
  /** Set once a driver error left the context unusable; later releases stay quiet. */
  private boolean lost;

  /**
   * Opens the device: loads the driver bindings, initialises the driver, retains the device's
   * primary context, creates the stream and loads the kernels.
   *
   * @throws DeviceUnavailableException naming what is missing: the driver library, a device,
   *     or usable kernels
   */
  static CudaDevice open(CudaOptions options) {
    try {
      JCudaDriver.setExceptionsEnabled(true);
    } catch (LinkageError e) {
      throw new DeviceUnavailableException(CudaNatives.driverFailure(e));
    }
    try {
      cuInit(0);
    } catch (CudaException e) {
      throw new DeviceUnavailableException("the CUDA driver did not initialise ("
          + e.getMessage() + ")" + initHint(e.getMessage()));
    }
    int[] count = new int[1];
    cuDeviceGetCount(count);
    if (count[0] == 0) {
      throw new DeviceUnavailableException("the CUDA driver found no device");
    }
    if (options.device() >= count[0]) {
      throw new DeviceUnavailableException("CUDA device " + options.device() + " asked for, "
          + "but the driver sees " + count[0] + " (0.." + (count[0] - 1) + ")");
    }
    return new CudaDevice(options);
  }

  private static String initHint(String error) {
    if (error.contains("NO_DEVICE")) {
      return ": no CUDA-capable device is visible (CUDA_VISIBLE_DEVICES?)";
    }
    if (error.contains("INSUFFICIENT_DRIVER")) {
      return ": the installed NVIDIA driver is older than CUDA 12 needs";
    }
    return "";
  }

  private CudaDevice(CudaOptions options) {
    this.options = options;
    this.device = new CUdevice();
    cuDeviceGet(device, options.device());
    byte[] nameBytes = new byte[256];
    cuDeviceGetName(nameBytes, nameBytes.length, device);
    int len = 0;
    while (len < nameBytes.length && nameBytes[len] != 0) {
      len++;
    }
    this.name = new String(nameBytes, 0, len, StandardCharsets.US_ASCII);
    this.ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    this.ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    long[] total = new long[1];
    cuDeviceTotalMem(total, device);
    this.totalMemory = total[0];
    int[] version = new int[1];
    cuDriverGetVersion(version);
    this.driverVersion = version[0];

    this.context = new CUcontext();
    cuDevicePrimaryCtxRetain(context, device);
    CUstream s = null;
    PinnedStaging st = null;
    Pointer fh = null;
    try {
      cuCtxSetCurrent(context);
      CURRENT.set(this);
      s = new CUstream();
      cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING);
      st = new PinnedStaging(s);
      fh = new Pointer();
      cuMemHostAlloc(fh, 16, JCudaDriver.CU_MEMHOSTALLOC_DEVICEMAP);
      this.faultDevice = new DevicePointer();
      cuMemHostGetDevicePointer(faultDevice, fh, 0);
      ByteBuffer fb = fh.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());
      this.fault = fb.asIntBuffer();
      for (int i = 0; i < 4; i++) {
        fault.put(i, 0);
      }
      KernelModules.Loaded loaded =
          KernelModules.load(KernelCatalog.modules(), options, ccMajor, ccMinor);
      this.modules = loaded.modules();
      this.kernelOrigin = loaded.origin();
    } catch (RuntimeException | LinkageError e) {
      if (st != null) {
        st.close();
      }
      if (fh != null) {
        freeHostQuietly(fh);
      }
      if (s != null) {
        cuStreamDestroy(s);
      }
      CURRENT.remove();
      cuDevicePrimaryCtxRelease(device);
      throw e;
    }
    this.stream = s;
    this.staging = st;
    this.faultHost = fh;
    log.info("CUDA device {}: {} (sm_{}{}, {} multiprocessors, {} MiB), driver {}, kernels "
        + "from {}", options.device(), name, ccMajor, ccMinor, multiprocessors,
        totalMemory >> 20, versionString(driverVersion), kernelOrigin);
  }

  private int attribute(int attribute) {
    int[] v = new int[1];
    cuDeviceGetAttribute(v, attribute, device);
    return v[0];
  }

  /** "13.0" from the driver's 13000. */
  static String versionString(int version) {
    return (version / 1000) + "." + (version % 1000) / 10;
  }

  /** Makes this device's context current on the calling thread. */
  void enter() {
    if (CURRENT.get() != this) {
      cuCtxSetCurrent(context);
      CURRENT.set(this);
    }
  }

  /** The kernel of a signature, from its loaded module. */
  Kernel kernel(KernelSignature signature) {
    CUmodule module = modules.get(signature.module());
    if (module == null) {
      throw new IllegalStateException("module " + signature.module() + " is not loaded");
    }
    CUfunction function = new CUfunction();
    try {
      cuModuleGetFunction(function, module, signature.name());
    } catch (CudaException e) {
      throw new DeviceUnavailableException("kernel " + signature.name() + " is missing from "
          + "module " + signature.module() + " (" + e.getMessage() + ")");
    }
    return new Kernel(this, signature, function);
  }

  // ---------------------------------------------------------------------------------------
  // Launches and synchronisation

  /** Queues a kernel with the arguments last written into its {@link KernelArgs}. */
  void launch(Kernel k, int gridX, int gridY, int block, int sharedBytes) {
    lastKernel = k;
    lastGridX = gridX;
    lastGridY = gridY;
    lastBlock = block;
    lastShared = sharedBytes;
    try {
      cuLaunchKernel(k.function, gridX, gridY, 1, block, 1, 1, sharedBytes, stream,
          k.args.params(), null);
    } catch (CudaException e) {
      throw failure("launching kernel " + describeLastLaunch(), e);
    }
    if (options.syncEachLaunch()) {
      try {
        cuStreamSynchronize(stream);
      } catch (CudaException e) {
        throw failure("running kernel " + describeLastLaunch(), e);
      }
      checkFaults();
    }
  }

  private String describeLastLaunch() {
    return describeLaunch(lastKernel.name(), lastGridX, lastGridY, lastBlock, lastShared);
  }

  /** "name (grid (x, y, 1), block (b, 1, 1), s bytes of dynamic shared memory)". */
  static String describeLaunch(String kernel, int gridX, int gridY, int block, int shared) {
    return kernel + " (grid (" + gridX + ", " + gridY + ", 1), block (" + block + ", 1, 1), "
        + shared + " bytes of dynamic shared memory)";
  }

  /** The exception for a failed driver call; remembers a lost context. */
  private DeviceFailureException failure(String doing, CudaException e) {
    DeviceFailureException f = DeviceFailureException.of(doing, e.getMessage(), e);
    if (f.deviceLost()) {
      lost = true;
    }
    return f;
  }

  /** Whether a driver error has left this device's context unusable. */
  boolean lost() {
    return lost;
  }

  /**
   * Waits for all queued work, then reports a fault a kernel wrote.
   *
   * @throws DeviceFailureException when queued work failed: names the last kernel launched and
   *     how to find the one that failed
   * @throws IllegalArgumentException when a kernel met a bad index (gather, explicit triplets)
   */
  void synchronize() {
    try {
      cuStreamSynchronize(stream);
    } catch (CudaException e) {
      String last = lastKernel == null ? "" : "; the last kernel launched was "
          + describeLastLaunch() + ", but with asynchronous launches the fault may come from "
          + "an earlier one: set -Dtripletcuda.cuda.sync=true or TRIPLETCUDA_CUDA_SYNC=1 to "
          + "stop at the kernel that failed";
      DeviceFailureException f = failure("running queued work", e);
      throw new DeviceFailureException(f.getMessage() + last, e, f.deviceLost());
    }
    checkFaults();
  }

  private void checkFaults() {
    int code = fault.get(0);
    if (code == 0) {
      return;
    }
    int a = fault.get(1);
    int b = fault.get(2);
    int c = fault.get(3);
    fault.put(0, 0);
    switch (code) {
      case FAULT_GATHER_INDEX:
        throw new IllegalArgumentException("idx[" + a + "]=" + b + ", expected 0.." + (c - 1)
            + " (found on the device by gatherRows; that row of dst was zero-filled)");
      case FAULT_TRIPLET_INDEX:
        throw new IllegalArgumentException("triplet " + a + " has row index " + b
            + ", expected 0.." + (c - 1) + " (found on the device; the triplet was skipped)");
      default:
        throw new DeviceFailureException("a kernel reported the unknown fault code " + code);
    }
  }

  /** The device address of the fault word, a kernel argument. */
  DevicePointer faultPointer() {
    return faultDevice;
  }

  // ---------------------------------------------------------------------------------------
  // Memory

  /**
   * bytes of device memory, uninitialised; a null pointer for 0 bytes.
   *
   * @param what what the memory is for, for the message when it cannot be had
   * @throws DeviceOutOfMemoryException naming the bytes asked for and free
   */
  DevicePointer malloc(long bytes, String what) {
    DevicePointer p = new DevicePointer();
    if (bytes == 0) {
      return p;
    }
    try {
      cuMemAlloc(p, bytes);
    } catch (CudaException e) {
      if (e.getMessage() != null && e.getMessage().contains("OUT_OF_MEMORY")) {
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        throw new DeviceOutOfMemoryException(
            outOfMemoryMessage(what, bytes, free[0], total[0], name), bytes, free[0]);
      }
      throw failure(String.format(Locale.ROOT, "allocating %,d bytes for %s", bytes, what), e);
    }
    return p;
  }

  /** "out of device memory: WHAT needs N bytes, F of T bytes are free on NAME". */
  static String outOfMemoryMessage(String what, long bytes, long free, long total,
      String device) {
    return String.format(Locale.ROOT, "out of device memory: %s needs %,d bytes, %,d of %,d "
        + "bytes are free on %s", what, bytes, free, total, device);
  }

  /** Frees device memory from {@link #malloc}; a null pointer is ignored. */
  void free(DevicePointer p) {
    if (p.address() == 0) {
      return;
    }
    try {
      cuMemFree(p);
    } catch (CudaException e) {
      if (lost) {
        // The context is gone and its memory with it; the original failure was reported.
        log.debug("cuMemFree after the device was lost: {}", e.getMessage());
        return;
      }
      throw failure("freeing device memory", e);
    }
  }

  /** Sets n 32-bit words at dst to the bits of value, on the stream. */
  void fill32(DevicePointer dst, int bits, long n) {
    if (n > 0) {
      try {
        cuMemsetD32Async(dst, bits, n, stream);
      } catch (CudaException e) {
        throw failure(String.format(Locale.ROOT, "filling %,d words", n), e);
      }
    }
  }

  /** Copies bytes from src to dst on the device, on the stream. */
  void copy(DevicePointer src, DevicePointer dst, long bytes) {
    if (bytes > 0) {
      try {
        cuMemcpyDtoDAsync(dst, src, bytes, stream);
      } catch (CudaException e) {
        throw failure(String.format(Locale.ROOT, "copying %,d bytes on the device", bytes), e);
      }
    }
  }

  /** Queues the copy of src[offset .. offset + count) to dst through pinned memory. */
  void upload(float[] src, int offset, int count, DevicePointer dst) {
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, PinnedStaging.CHUNK_BYTES / 4);
      PinnedStaging.Slot s = staging.uploadSlot(4L * n);
      s.floats.put(0, src, offset + done, n);
      try {
        cuMemcpyHtoDAsync(dst.offset(4L * done), s.host, 4L * n, stream);
      } catch (CudaException e) {
        throw failure(String.format(Locale.ROOT, "copying %,d bytes to the device", 4L * n), e);
      }
      staging.queued(s);
      done += n;
    }
  }

  /** Queues the copy of src[offset .. offset + count) to dst through pinned memory. */
  void upload(int[] src, int offset, int count, DevicePointer dst) {
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, PinnedStaging.CHUNK_BYTES / 4);
      PinnedStaging.Slot s = staging.uploadSlot(4L * n);
      s.ints.put(0, src, offset + done, n);
      try {
        cuMemcpyHtoDAsync(dst.offset(4L * done), s.host, 4L * n, stream);
      } catch (CudaException e) {
        throw failure(String.format(Locale.ROOT, "copying %,d bytes to the device", 4L * n), e);
      }
      staging.queued(s);
      done += n;
    }
  }

  /** Copies count floats from src into dst[offset ..], waiting for all work before it. */
  void download(DevicePointer src, int count, float[] dst, int offset) {
    if (count == 0) {
      synchronize();
      return;
    }
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, PinnedStaging.CHUNK_BYTES / 4);
      PinnedStaging.Slot s = staging.downloadSlot(4L * n);
      copyToHost(s, src.offset(4L * done), 4L * n);
      s.floats.get(0, dst, offset + done, n);
      done += n;
    }
  }

  /** Copies count ints from src into dst[offset ..], waiting for all work before it. */
  void download(DevicePointer src, int count, int[] dst, int offset) {
    if (count == 0) {
      synchronize();
      return;
    }
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, PinnedStaging.CHUNK_BYTES / 4);
      PinnedStaging.Slot s = staging.downloadSlot(4L * n);
      copyToHost(s, src.offset(4L * done), 4L * n);
      s.ints.get(0, dst, offset + done, n);
      done += n;
    }
  }

  /**
   * The first {@code bytes} bytes at src (a result record of at most a few hundred bytes),
   * after all work before it: a view valid until the next transfer.
   */
  ByteBuffer read(DevicePointer src, int bytes) {
    PinnedStaging.Slot s = staging.downloadSlot(bytes);
    copyToHost(s, src, bytes);
    return s.bytes;
  }

  /** Queues the copy of bytes from src into the staging slot and waits for it. */
  private void copyToHost(PinnedStaging.Slot s, DevicePointer src, long bytes) {
    try {
      cuMemcpyDtoHAsync(s.host, src, bytes, stream);
    } catch (CudaException e) {
      throw failure(String.format(Locale.ROOT, "copying %,d bytes from the device", bytes), e);
    }
    synchronize();
  }

  /** Free and total device memory in bytes, as the driver reports them now. */
  long[] memoryInfo() {
    long[] free = new long[1];
    long[] total = new long[1];
    try {
      cuMemGetInfo(free, total);
    } catch (CudaException e) {
      throw failure("asking for the free device memory", e);
    }
    return new long[] {free[0], total[0]};
  }

  // ---------------------------------------------------------------------------------------

  /** Releases the stream, the modules, pinned memory and the context; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      enter();
      cuStreamSynchronize(stream);
    } catch (CudaException e) {
      log.warn("work still queued on the CUDA device failed while closing: {}", e.getMessage());
    }
    try {
      staging.close();
      freeHostQuietly(faultHost);
      for (CUmodule m : modules.values()) {
        cuModuleUnload(m);
      }
      cuStreamDestroy(stream);
    } catch (CudaException e) {
      log.warn("releasing CUDA resources failed: {}", e.getMessage());
    } finally {
      if (CURRENT.get() == this) {
        CURRENT.remove();
      }
      try {
        cuDevicePrimaryCtxRelease(device);
      } catch (CudaException e) {
        log.warn("releasing the CUDA context failed: {}", e.getMessage());
      }
    }
  }

  private static void freeHostQuietly(Pointer p) {
    try {
      cuMemFreeHost(p);
    } catch (CudaException e) {
      log.debug("cuMemFreeHost failed: {}", e.getMessage());
    }
  }
}
