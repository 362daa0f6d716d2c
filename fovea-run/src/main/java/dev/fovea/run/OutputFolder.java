package dev.fovea.run;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Folders a command writes into ({@code train --out}, {@code evaluate --report}): checked before
 * any training or evaluation starts, so a typo in a path costs a second, not an epoch; and write
 * failures described as what failed, where, why (permission, a file in the way, a full disk) and
 * what to do, instead of the bare path Java's exceptions carry. A folder that cannot be created
 * is a {@link FoveaException} (exit 2); a write that failed is a {@link WriteFailure}, which the
 * {@code fovea} command exits 1 on, as a command that failed while working.
 */
public final class OutputFolder {
    private OutputFolder() {
    }

    /** A write into an output folder failed: what, where, why and what to do. */
    public static final class WriteFailure extends FoveaException {
        WriteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Checks, creating nothing, that {@code dir} exists as a writable folder or could be created:
     * its nearest existing ancestor must be a writable folder.
     */
    public static void checkCanCreate(Path dir, String option) {
        Path abs = dir.toAbsolutePath().normalize();
        Path p = abs;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        String verb = Files.isDirectory(abs) ? "cannot write into the folder " : "cannot create the folder ";
        if (p == null) {
            throw new FoveaException(verb + abs + " (" + option + "): no part of that path exists; " + advice(option));
        }
        if (!Files.isDirectory(p)) {
            throw new FoveaException(verb + abs + " (" + option + "): " + p + " is a file, not a folder; "
                    + advice(option));
        }
        if (!Files.isWritable(p)) {
            throw new FoveaException(verb + abs + " (" + option + "): " + p + " is not writable (permission denied); "
                    + advice(option) + ", or make " + p + " writable");
        }
    }

    /**
     * Creates {@code dir} and writes and deletes a probe file in it: {@code Files.isWritable}
     * misses read-only mounts and full disks, a real write does not.
     */
    public static void create(Path dir, String option) {
        checkCanCreate(dir, option);
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".fovea-write-check", ".tmp");
            try {
                Files.write(probe, new byte[4096]);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw failure("cannot create or write the folder", dir, option, e);
        }
    }

    /** A user-facing error for a failed write of {@code what} at {@code where}. */
    public static WriteFailure failure(String what, Path where, String option, IOException e) {
        return new WriteFailure(what + " " + where.toAbsolutePath().normalize() + ": " + reason(e) + "; "
                + advice(option), e);
    }

    /**
     * {@code e} as a write failure of {@code what} at {@code where} when an {@link IOException}
     * caused it (core and report wrap them), else {@code e} itself.
     */
    public static RuntimeException translate(RuntimeException e, String what, Path where, String option) {
        if (e instanceof UncheckedIOException u) {
            return failure(what, where, option, u.getCause());
        }
        return e.getCause() instanceof IOException io ? failure(what, where, option, io) : e;
    }

    /** Why an I/O call failed, in words (Java puts only the path in most messages). */
    public static String reason(IOException e) {
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : String.valueOf(e.getMessage());
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left") || lower.contains("disk quota")) {
            return "the disk is full (" + r + ")";
        }
        if (lower.contains("read-only file system")) {
            return "the file system is read-only";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " is a file, not a folder";
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + " is not a folder";
        }
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + " does not exist";
        }
        return r;
    }

    private static String advice(String option) {
        return "choose another " + option + " (a folder you can write to, on a disk with free space)";
    }
}
