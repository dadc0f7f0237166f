package org.myelin.server.appservice;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.StartupException;
import org.myelin.server.testing.FakeAppService;
import org.myelin.server.testing.TestHomeserver;

/** A registration file the server cannot run with stops its start, with a message naming the file. */
class AppServiceStartIT {

    @TempDir
    Path dir;

    @Test
    void aBadRegistrationStopsTheStart() throws IOException {
        Path good = FakeAppService.writeRegistration(dir, "good", null, "good-token", "");
        Path bad = Files.writeString(dir.resolve("broken.yaml"), Files.readString(good)
                .replace("id: good", "id: broken").replace("good-token", "broken-token")
                .replace("regex: '@good_.*'", "regex: '@good_(['"));
        StartupException e = assertThrows(StartupException.class, () -> TestHomeserver.builder()
                .configure(c -> c.withAppServiceConfigFiles(List.of(good, bad))).start());
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("bad regex"), e.getMessage());
    }
}
