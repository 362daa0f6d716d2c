package dev.fovea.io;

import dev.fovea.FoveaException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * torn file: the body writes a temporary file in the target's folder, which is flushed to disk
 * (fsync) and then renamed over the target. Used for models, checkpoints and downloads.
 * Not a lock: two concurrent writers of one target each succeed and the last rename wins.
 */
public final class AtomicFiles {
    /** Writes bytes to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Replaces {@code target} with what {@code body} writes. If the body or the flush throws,
     * the target is left as it was and the temporary file is deleted. The stream given to the
     * body is buffered; the body must not close it.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        // A hidden name in the same folder: a rename is only atomic within one file system.
        // CREATE_NEW (not Files.createTempFile) so the file gets the umask's usual permissions
        // rather than owner-only ones, which the rename would carry over to the target.
        Path tmp = dir.resolve("." + abs.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.accept(out);
                out.flush();
                // Without this, a crash after the rename can leave the target renamed but empty.
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Some network and FUSE file systems cannot rename atomically; a plain replace
                // still never exposes a partially written file under the target's name.
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * {@link #write} of a byte array for callers with nothing to add to the error: creates missing
     * folders first and turns an I/O failure into a {@link FoveaException} that says what failed,
     * where, why and what to do, e.g. {@code cannot write runs/a/report.html (a folder of that
     * name is in the way); remove or rename that folder, or write elsewhere}. Returns
     * {@code target}.
     */
    public static Path writeBytes(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FoveaException("cannot create folder " + dir + explain(dir, e), e);
        }
        try {
            write(target, out -> out.write(bytes));
        } catch (IOException e) {
            throw new FoveaException("cannot write " + target + explain(target, e), e);
        }
        return target;
    }

    /** " (why); what to do" for a failed write or folder creation at {@code path}. */
    private static String explain(Path path, IOException e) {
        Path culprit = e instanceof FileSystemException f && f.getFile() != null ? Path.of(f.getFile()) : path;
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (Files.isDirectory(path) && !path.toAbsolutePath().equals(path.toAbsolutePath().getRoot())
                && !(e instanceof AccessDeniedException)) {
            return " (a folder of that name is in the way); remove or rename that folder, or write elsewhere";
        }
        if (Files.exists(culprit) && !Files.isDirectory(culprit)) {
            return (culprit.toAbsolutePath().equals(path.toAbsolutePath()) ? " (a file of that name is in the way)"
                    : " (" + culprit + " is a file, not a folder)") + "; remove or rename that file, or write elsewhere";
        }
        if (e instanceof AccessDeniedException || reason != null && reason.contains("Read-only file system")) {
            return " (" + (e instanceof AccessDeniedException ? "permission denied" : "read-only file system")
                    + "); choose a folder you can write to, or change its permissions";
        }
        if (reason != null && reason.contains("No space left")) {
            return " (the disk is full); free some space or write elsewhere";
        }
        if (e instanceof NoSuchFileException) {
            return " (its folder does not exist); create it or write elsewhere";
        }
        return " (" + (reason == null ? e.getClass().getSimpleName() : reason) + "); check that the folder is"
                + " writable and has free space";
    }

    /** Makes the rename itself durable where the platform allows opening a directory (POSIX). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open directories; the rename is still atomic there, only its
            // durability across a power cut is weaker.
        }
    }
}
