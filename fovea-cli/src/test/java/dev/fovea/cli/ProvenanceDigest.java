package dev.fovea.cli;

import dev.fovea.data.ImageFolder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The data hash as run.json defines it, computed here from its definition rather than by the CLI. */
final class ProvenanceDigest {
    private ProvenanceDigest() {
    }

    /** SHA-256 of the training images as decoded (uint8 NHWC) followed by each label as a 4-byte big-endian int. */
    static String sha256(Path imageFolder) throws Exception {
        var d = ImageFolder.load(imageFolder, ImageFolder.Options.defaults(), w -> { }).train();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(d.images());
        for (int l : d.labels()) {
            md.update(ByteBuffer.allocate(4).putInt(l).array());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
