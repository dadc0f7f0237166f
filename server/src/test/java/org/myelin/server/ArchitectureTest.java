package org.myelin.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * Dependencies point one way, {@code server → federation → rooms → storage → protocol}
 * (DESIGN.md, "Layout"), and only storage speaks SQL. Lives in server because only server
 * sees every module.
 */
class ArchitectureTest {

    static JavaClasses myelin;

    @BeforeAll
    static void importClasses() {
        myelin = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.myelin");
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
                .layer("protocol").definedBy("org.myelin.protocol..")
                .layer("storage").definedBy("org.myelin.storage..")
                .layer("rooms").definedBy("org.myelin.rooms..")
                .layer("federation").definedBy("org.myelin.federation..")
                .layer("server").definedBy("org.myelin.server..")
                .whereLayer("server").mayNotBeAccessedByAnyLayer()
                .whereLayer("federation").mayOnlyBeAccessedByLayers("server")
                .whereLayer("rooms").mayOnlyBeAccessedByLayers("federation", "server")
                .whereLayer("storage").mayOnlyBeAccessedByLayers("rooms", "federation", "server")
                .whereLayer("protocol").mayOnlyBeAccessedByLayers("storage", "rooms", "federation", "server")
                .check(myelin);
    }

    @Test
    void onlyStorageWritesSql() {
        noClasses().that().resideOutsideOfPackage("org.myelin.storage..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..")
                .check(myelin);
    }
}
