package dev.tripletcuda.cli;

import dev.tripletcuda.backend.Backend;
import dev.tripletcuda.backend.Backends;
import dev.tripletcuda.backend.Device;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --threads}, shared by every command that computes. */
final class DeviceOptions {

  @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
      converter = DeviceConverter.class,
      description = "Where to run: auto takes CUDA when a device and the kernels are usable, "
          + "else the CPU (default: ${DEFAULT-VALUE}).")
  Device device;

  @Option(names = "--threads", paramLabel = "N",
      description = "CPU threads (default: all processors).")
  Integer threads;

  @Option(names = {"-q", "--quiet"}, description = "Only warnings and errors on stderr.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "Debug log lines on stderr.")
  boolean verbose;

  int threadCount() {
    if (threads == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads=" + threads + ", expected >= 1");
    }
    return threads;
  }

  Backend open() {
    return Backends.open(device, threadCount());
  }

  /** Parses auto, cpu or cuda with a message naming the choices. */
  static final class DeviceConverter implements picocli.CommandLine.ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      try {
        return Device.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
