package dev.fovea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.train.Provenance;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compiled classes are Java 17's whichever JDK built them ({@code maven.compiler.release} 17 in
 * the parent POM, which every module inherits; the shipped jars are checked by LauncherIT and
 * SparkLauncherIT): the launcher builds with the newest JDK, users may run on 17.
 */
class ClassFileVersionTest {
    @Test
    void mainAndTestClassesAreJava17Bytecode() throws Exception {
        Path main = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path test = Path.of(ClassFileVersionTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path classes : new Path[] {main, test}) {
            Map<String, Integer> versions = ClassFileVersions.of(classes);
            assertTrue(versions.size() > 10, classes + ": " + versions.size() + " class files");
            assertEquals("", ClassFileVersions.notJava17(versions), classes + ": class files above Java 17's (61)");
        }
    }
}
