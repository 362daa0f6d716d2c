package dev.fovea.report;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The report's file writes: {@link dev.fovea.io.AtomicFiles} (temporary file, fsync, atomic
 * rename) plus creating the folder and turning I/O failures into a message that says what to do.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static Path write(Path target, byte[] bytes) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            dev.fovea.io.AtomicFiles.write(target, out -> out.write(bytes));
            return target;
        } catch (IOException e) {
            throw new FoveaException("report: cannot write " + target + " (" + e + "); "
                    + "check that the folder exists, is writable and that no folder has that name", e);
        }
    }
}
