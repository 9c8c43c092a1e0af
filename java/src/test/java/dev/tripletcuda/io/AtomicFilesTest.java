package dev.tripletcuda.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripletcuda.nn.EmbeddingModel;
import dev.tripletcuda.nn.ModelFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir
  Path dir;

  @Test
  void aProcessKilledWhileWritingNeverLeavesAPartialFileUnderTheFinalName() throws Exception {
    Path target = dir.resolve("model.safetensors");
    String java = ProcessHandle.current().info().command().orElse("java");
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    int kills = 0;
    for (int round = 0; round < 4; round++) {
      List<String> cmd = new ArrayList<>(List.of(java, "-cp",
          System.getProperty("java.class.path"), AtomicWriteChild.class.getName(),
          target.toString()));
      Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      // Let it finish at least one version in round 0, then kill it mid-stream.
      if (round == 0) {
        assertTrue(out.readLine() != null, "child wrote a first version");
      }
      Thread.sleep(50 + random.nextInt(400));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      kills++;

      // Whatever is under the final name is a complete file of one generation.
      assertTrue(Files.exists(target), "the version written before stays");
      EmbeddingModel m = ModelFile.load(target);
      float gen = m.parameters()[0];
      assertEquals(Integer.toString((int) gen), m.metadata().get("generation"));
      float[] p = m.parameters();
      assertEquals(gen, p[p.length - 1], "last parameter of the same generation");
    }
    assertEquals(4, kills);
  }

  @Test
  void failedWriteLeavesNoTemporaryFileAndKeepsTheOldVersion() throws IOException {
    Path target = dir.resolve("f.bin");
    Files.writeString(target, "old");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> AtomicFiles.write(target, out -> {
          out.write(new byte[100]);
          throw new IOException("disk full");
        }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "temporary file removed");
    }
  }

  @Test
  void writtenFilesHaveThePermissionsOfAnyNewFile() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
        "POSIX permissions");
    Path plain = Files.createFile(dir.resolve("plain"));
    Path atomic = dir.resolve("atomic");
    AtomicFiles.write(atomic, out -> out.write(1));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
  }

  @Test
  void writingIntoAMissingFolderFailsClearly() {
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> AtomicFiles.write(dir.resolve("no/such/f.bin"), out -> out.write(1)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }
}
