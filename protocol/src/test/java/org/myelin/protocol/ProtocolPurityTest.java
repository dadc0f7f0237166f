package org.myelin.protocol;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The protocol module is pure (CONVENTIONS.md, "Modules"): only the JDK's pure parts, Jackson
 * and Tink; no I/O, no network, no database, no clock, no randomness.
 */
class ProtocolPurityTest {

    static JavaClasses protocol;

    @BeforeAll
    static void importClasses() {
        protocol = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.myelin.protocol");
    }

    @Test
    void dependsOnlyOnTheJdkJacksonAndTink() {
        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage("org.myelin.protocol..", "java.lang..", "java.util..", "java.math..",
                        "java.nio.charset..", "java.security..", "java.io..", "com.fasterxml.jackson..",
                        "com.google.crypto.tink..")
                .check(protocol);
    }

    @Test
    void doesNoIoNetworkOrDatabaseWork() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("java.net..", "java.sql..", "javax.sql..", "java.nio.file..", "java.nio.channels..")
                .check(protocol);
        noClasses().should().dependOnClassesThat()
                .haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
                .check(protocol);
    }

    @Test
    void readsNoClockAndMakesNoRandomness() {
        noClasses().should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
                .orShould().dependOnClassesThat().resideInAPackage("java.time..")
                .check(protocol);
    }
}
