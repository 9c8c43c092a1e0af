package dev.tripletcuda.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Gunzips whole files in memory. A damaged stream is reported with the byte of the compressed
 * file where decoding failed; output larger than one Java array is refused before it is
 * allocated.
 */
final class Gzip {

  /** The most bytes one array holds: the default limit on the decompressed size. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private Gzip() {}

  /** Whether the bytes start with the gzip magic number 1f 8b. */
  static boolean isGzip(byte[] bytes) {
    return bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B;
  }

  /**
   * Gunzips all members of a gzip file.
   *
   * @param limit the most decompressed bytes accepted
   * @throws InvalidDataException naming the compressed byte where the stream is truncated or
   *     corrupt, or when the content exceeds limit
   */
  static byte[] decompress(String name, byte[] gz, int limit) {
    Position in = new Position(gz);
    Tracked z = null;
    // Grown on demand; a first guess of 4x fits most data, capped so it cannot overflow.
    ByteArrayOutputStream out = new ByteArrayOutputStream(
        (int) Math.min(limit, Math.min(1L << 26, 4L * gz.length + 64)));
    if (gz.length > 3 && (gz[3] & 0xE0) != 0) {
      throw new InvalidDataException(name, "gzip byte 3", String.format("the gzip stream is "
          + "corrupt (reserved header flags 0x%02X set)", gz[3] & 0xE0));
    }
    try {
      z = new Tracked(in);
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int r; (r = z.read(buf)) > 0; ) {
        total += r;
        if (total > limit) {
          throw new InvalidDataException(name, "gzip byte " + z.position(), "decompresses "
              + "to more than " + limit + " bytes, more than can be read into memory");
        }
        out.write(buf, 0, r);
      }
    } catch (EOFException e) {
      throw new InvalidDataException(name, "gzip byte " + gz.length,
          "the gzip stream is truncated");
    } catch (ZipException e) {
      long at = z == null ? in.position() : z.position();
      throw new InvalidDataException(name, "gzip byte " + at, "the gzip stream is corrupt ("
          + e.getMessage() + ")");
    } catch (IOException e) {
      throw new InvalidDataException(name, null, "the gzip stream cannot be read: "
          + e.getMessage(), e);
    } finally {
      if (z != null) {
        z.end();
      }
    }
    return out.toByteArray();
  }

  /** The compressed bytes, with the read position visible. */
  private static final class Position extends ByteArrayInputStream {
    Position(byte[] bytes) {
      super(bytes);
    }

    long position() {
      return pos;
    }
  }

  /** A gzip stream that can tell how far into the compressed bytes decoding has got. */
  private static final class Tracked extends GZIPInputStream {
    private final Position source;

    Tracked(Position source) throws IOException {
      super(source, 1 << 16);
      this.source = source;
    }

    /** Compressed bytes consumed: those read from the source less those still buffered. */
    long position() {
      return source.position() - inf.getRemaining();
    }

    /** Frees the inflater without the IOException close() declares. */
    void end() {
      inf.end();
    }
  }
}
