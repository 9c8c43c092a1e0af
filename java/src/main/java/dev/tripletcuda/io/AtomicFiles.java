package dev.tripletcuda.io;

import static dev.tripletcuda.backend.Shapes.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a file so that it is either absent, or its old version, or complete: the bytes go to
 * a temporary file beside the target, are forced to disk, and the temporary file is renamed
 * over the target in one step. A crash at any point leaves no half-written file under the final
 * name.
 *
 * <p>The temporary file is created as any new file is (permissions from the process's umask,
 * typically readable by all), not with the owner-only permissions of a JDK temporary file, so
 * the final file reads like one written in place.
 */
public final class AtomicFiles {

  /** Writes the content of one file. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes {@code target} atomically; the temporary file is removed on failure. */
  public static void write(Path target, Writer writer) throws IOException {
    requireNonNull("target", target);
    requireNonNull("writer", writer);
    Path dir = target.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IOException("folder " + dir + " does not exist");
    }
    Path tmp = null;
    FileChannel created = null;
    for (int attempt = 0; created == null; attempt++) {
      tmp = (dir == null ? Path.of("") : dir).resolve("." + target.getFileName() + "."
          + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        created = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 100) {
          throw e;
        }
      }
    }
    boolean done = false;
    try {
      try (FileChannel ch = created) {
        // The writer may close what it is given; the channel stays open for the force.
        BufferedOutputStream out = new BufferedOutputStream(
            new FilterOutputStream(Channels.newOutputStream(ch)) {
              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
              }

              @Override
              public void close() throws IOException {
                flush();
              }
            }, 1 << 16);
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
