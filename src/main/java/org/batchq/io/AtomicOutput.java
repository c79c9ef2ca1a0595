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
 *
 * <p>Two processes writing the same destination: each holds an exclusive lock on {@code .NAME.lock} from
 * {@link #begin} to {@link #close}, so the second fails at once with a clear message instead of racing; the check
 * for an existing destination and the rename both happen under the lock.
 */
public final class AtomicOutput implements AutoCloseable {
  private final Path destination;
  private final Path temporary;
  private final Path lockFile;
  private final FileChannel lockChannel;
  private boolean published;

  private AtomicOutput(Path destination, Path temporary, Path lockFile, FileChannel lockChannel) {
    this.destination = destination;
    this.temporary = temporary;
    this.lockFile = lockFile;
    this.lockChannel = lockChannel;
  }

  /**
   * Refuses an existing {@code destination} unless {@code force}: for commands to call before long work, so that
   * a fit is not lost to a refusal at the end ({@link #begin} checks again when the output is written).
   */
  public static void refuseExisting(Path destination, boolean force) {
    Path dest = destination.toAbsolutePath().normalize();
    if (Files.exists(dest) && !force) {
      throw new OutputExistsException(dest);
    }
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
      throw new BadInputException(parent, "cannot create the output directory (" + describe(e) + ")", e);
    }
    if (!Files.isWritable(parent)) {
      throw new BadInputException(parent, "output directory is not writable");
    }
    Path lock = parent.resolve("." + dest.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        channel.close();
        throw new BadInputException(dest, "another batchq process is writing this output right now");
      }
    } catch (IOException e) {
      throw new BadInputException(parent, "cannot write in the output directory (" + describe(e) + ")", e);
    } catch (java.nio.channels.OverlappingFileLockException e) {
      throw new BadInputException(dest, "this process is already writing this output");
    }
    if (Files.exists(dest) && !force) { // checked again under the lock
      release(lock, channel);
      throw new OutputExistsException(dest);
    }
    removeStaleTemporaries(parent, "." + dest.getFileName() + ".tmp-");
    Path tmp = parent.resolve("." + dest.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    return new AtomicOutput(dest, tmp, lock, channel);
  }

  /** Temporaries of this destination left by processes that no longer run (killed) are removed. */
  private static void removeStaleTemporaries(Path parent, String prefix) {
    try (Stream<Path> entries = Files.list(parent)) {
      for (Path p : entries.filter(e -> e.getFileName().toString().startsWith(prefix)).toList()) {
        String rest = p.getFileName().toString().substring(prefix.length()); // PID-NANOS
        int dash = rest.indexOf('-');
        long pid = dash > 0 ? Long.parseLong(rest.substring(0, dash)) : -1;
        if (pid > 0 && ProcessHandle.of(pid).isEmpty()) {
          System.err.println("batchq: removing " + p + ", left by an interrupted run (process " + pid + ")");
          deleteRecursively(p);
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // cleaning up is a courtesy: readers ignore hidden temporaries anyway
    }
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.FileSystemException f && f.getReason() != null
        ? f.getReason()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
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

  /** Removes the temporary output if it was not published (on failure or interruption), and releases the lock. */
  @Override
  public void close() {
    if (!published) {
      try {
        deleteRecursively(temporary);
      } catch (IOException ignored) {
        // best effort: a leftover hidden temporary is ignored by every reader
      }
    }
    release(lockFile, lockChannel);
  }

  private static void release(Path lock, FileChannel channel) {
    try {
      Files.deleteIfExists(lock);
      channel.close(); // closing releases the lock
    } catch (IOException ignored) {
      // a leftover hidden lock file is harmless: locks are taken on the open file, not by its existence
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
