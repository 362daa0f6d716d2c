package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplaces() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        AtomicFiles.write(target, out -> out.write(new byte[] {4}));
        assertArrayEquals(new byte[] {4}, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void crashingBodyLeavesTargetIntactAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("checkpoint.safetensors");
        Files.write(target, new byte[] {7, 7, 7});
        IOException io = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]); // past the buffer, so the temporary file really holds bytes
            throw io;
        }));
        assertSame(io, thrown);
        RuntimeException bug = new IllegalStateException("bug in the body");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw bug;
        })));
        assertArrayEquals(new byte[] {7, 7, 7}, Files.readAllBytes(target));
        assertEquals(List.of("checkpoint.safetensors"), listing());
    }

    @Test
    void writeBytesCreatesFoldersAndSaysWhyAWriteFailed() throws IOException {
        Path nested = dir.resolve("run/plots/loss.png");
        assertEquals(nested, AtomicFiles.writeBytes(nested, new byte[] {9, 8}));
        assertArrayEquals(new byte[] {9, 8}, Files.readAllBytes(nested));

        // A non-empty folder where the file should go: the rename cannot replace it.
        Path blocked = Files.createDirectories(dir.resolve("report.html"));
        Files.writeString(blocked.resolve("keep.txt"), "kept");
        FoveaException e = assertThrows(FoveaException.class, () -> AtomicFiles.writeBytes(blocked, new byte[] {1}));
        assertEquals("cannot write " + blocked + " (a folder of that name is in the way); remove or rename that"
                + " folder, or write elsewhere", e.getMessage());
        assertEquals("kept", Files.readString(blocked.resolve("keep.txt")));

        // A file where a folder should be created.
        Path file = dir.resolve("not-a-folder");
        Files.writeString(file, "x");
        e = assertThrows(FoveaException.class, () -> AtomicFiles.writeBytes(file.resolve("out.csv"), new byte[] {1}));
        assertEquals("cannot create folder " + file + " (a file of that name is in the way); remove or rename that"
                + " file, or write elsewhere", e.getMessage());
        assertEquals(List.of("not-a-folder", "report.html", "run"), listing());
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
