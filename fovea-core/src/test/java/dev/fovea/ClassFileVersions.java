package dev.fovea;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The class-file major versions of Fovea's own classes ({@code dev/fovea/**}) in a folder of
 * classes or a jar, for the tests that hold them at Java 17's (61) whichever JDK compiled them:
 * Java 17 is the floor users may run on. Other classes in a shaded jar are the libraries'.
 */
public final class ClassFileVersions {
    /** The major version of Java 17's class files. */
    public static final int JAVA_17 = 61;

    private ClassFileVersions() {
    }

    /** Each class file under {@code dev/fovea/} in {@code jarOrFolder}, by its path there, and its major version. */
    public static Map<String, Integer> of(Path jarOrFolder) throws IOException {
        Map<String, Integer> versions = new TreeMap<>();
        if (Files.isDirectory(jarOrFolder)) {
            Path own = jarOrFolder.resolve("dev/fovea");
            if (!Files.isDirectory(own)) {
                return versions;
            }
            List<Path> classes;
            try (Stream<Path> files = Files.walk(own)) {
                classes = files.filter(f -> f.toString().endsWith(".class")).toList();
            }
            for (Path f : classes) {
                try (InputStream in = Files.newInputStream(f)) {
                    versions.put(jarOrFolder.relativize(f).toString(), major(in, f.toString()));
                }
            }
            return versions;
        }
        try (JarFile jar = new JarFile(jarOrFolder.toFile())) {
            for (JarEntry e : jar.stream().toList()) {
                if (e.getName().startsWith("dev/fovea/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        versions.put(e.getName(), major(in, jarOrFolder + "!" + e.getName()));
                    }
                }
            }
        }
        return versions;
    }

    /** The entries of {@code versions} that are not Java 17's, as "path: major" lines. */
    public static String notJava17(Map<String, Integer> versions) {
        StringBuilder b = new StringBuilder();
        versions.forEach((path, major) -> {
            if (major != JAVA_17) {
                b.append(path).append(": ").append(major).append('\n');
            }
        });
        return b.toString();
    }

    /** The class file header: magic 0xCAFEBABE, minor and major version as unsigned 16-bit numbers. */
    private static int major(InputStream in, String where) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int magic = d.readInt();
        if (magic != 0xCAFEBABE) {
            throw new IOException(where + ": expected a class file (0xCAFEBABE), received magic 0x"
                    + Integer.toHexString(magic));
        }
        d.readUnsignedShort();
        return d.readUnsignedShort();
    }
}
