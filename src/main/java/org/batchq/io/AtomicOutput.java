package org.batchq.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishes an output (a file or a directory) only when it is complete: work happens under a hidden temporary
 * name beside the destination, is fsynced, and is then renamed. A killed process leaves at most a
 * {@code .NAME.tmp-*} entry, which readers ignore, never something that looks whole under the final name.
 */
public final class AtomicOutput implements AutoCloseable {
  private final Path destination;
  private final Path temporary;
  private boolean published;

  private AtomicOutput(Path destination, Path temporary) {
    this.destination = destination;
    this.temporary = temporary;
  }

  /**
   * Prepares to write {@code destination}; refuses an existing one unless {@code force}. The temporary path
   * returned by {@link #path()} does not exist yet.
   */
  public static AtomicOutput begin(Path destination, boolean force) {
    Path dest = destination.toAbsolutePath().normalize();
    if (Files.exists(dest) && !force) {
      throw new OutputExistsException(dest);
    }
    Path parent = dest.getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new BadInputException(parent, "cannot create output directory (" + e.getMessage() + ")", e);
    }
    if (!Files.isWritable(parent)) {
      throw new BadInputException(parent, "output directory is not writable");
    }
    Path tmp = parent.resolve("." + dest.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    return new AtomicOutput(dest, tmp);
  }

  /** Where to write until {@link #publish()}. */
  public Path path() {
    return temporary;
  }

  public Path destination() {
    return destination;
  }

  /** Syncs what was written and renames it to the destination, replacing an existing one only if forced. */
  public void publish() {
    try {
      sync(temporary);
      if (Files.exists(destination)) {
        deleteRecursively(destination); // only reachable with force: begin() refused it otherwise
      }
      try {
        Files.move(temporary, destination, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        throw new OutputExistsException(destination);
      }
      syncDirectory(destination.getParent());
      published = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + destination + ": " + e.getMessage(), e);
    }
  }

  /** Removes the temporary output if it was not published (on failure or interruption). */
  @Override
  public void close() {
    if (!published) {
      try {
        deleteRecursively(temporary);
      } catch (IOException ignored) {
        // best effort: a leftover hidden temporary is ignored by every reader
      }
    }
  }

  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void sync(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      try (Stream<Path> files = Files.list(path)) {
        for (Path p : files.toList()) {
          sync(p);
        }
      }
      syncDirectory(path);
    } else {
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // some filesystems do not allow syncing a directory; the rename is still atomic
    }
  }

  /** The output exists and {@code --force} was not given. */
  public static final class OutputExistsException extends RuntimeException {
    public OutputExistsException(Path path) {
      super(path + ": already exists (use --force to replace it)");
    }
  }
}
