package org.myelin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.testing.TestHomeserver;

/**
 * The real process: {@code java org.myelin.server.Main} configured by environment, with
 * the embedded PostgreSQL in its data dir, stopped by SIGTERM ({@link Process#destroy}).
 */
class MainIT {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private Process launch(Map<String, String> env, String... args) throws IOException {
        // With the JVM options that ship (./myelin run, the Docker image): what they leave out,
        // such as native access for Conscrypt, would show here as warnings on stderr.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("../config/jvm.options").toAbsolutePath().normalize(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MYELIN_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private Map<String, String> serverEnv(Path dataDir, int clientPort, int federationPort) {
        Map<String, String> env = new HashMap<>();
        env.put("MYELIN_SERVER_NAME", "127.0.0.1:" + federationPort);
        env.put("MYELIN_DATA_DIR", dataDir.toString());
        env.put("MYELIN_CLIENT_PORT", Integer.toString(clientPort));
        env.put("MYELIN_FEDERATION_PORT", Integer.toString(federationPort));
        return env;
    }

    private void awaitReady(Process process, int clientPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest versions = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/_matrix/client/versions"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("Main exited with " + process.exitValue() + ": " + output());
            }
            try {
                if (http.send(versions, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("Main did not answer within 90s: " + output());
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("stdout.txt")) + Files.readString(dir.resolve("stderr.txt"));
    }

    /** The embedded PostgreSQL's port, line 4 of postmaster.pid. */
    private static int postgresPort(Path dataDir) throws IOException {
        return Integer.parseInt(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3).trim());
    }

    @Test
    void sigtermStopsServerAndEmbeddedPostgres() throws Exception {
        Path dataDir = dir.resolve("data");
        int clientPort = TestHomeserver.freePort();
        Process main = launch(serverEnv(dataDir, clientPort, TestHomeserver.freePort()));
        awaitReady(main, clientPort);
        int pgPort = postgresPort(dataDir);
        assertTrue(HomeserverIT.listening(pgPort));

        main.destroy(); // SIGTERM
        assertTrue(main.waitFor(60, TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(143, main.exitValue(), "128 + SIGTERM");
        assertFalse(HomeserverIT.listening(clientPort), "HTTP closed");
        assertFalse(HomeserverIT.listening(pgPort), "embedded PostgreSQL stopped");
        assertFalse(Files.exists(dataDir.resolve("postgres/postmaster.pid")), "PostgreSQL shut down cleanly");
        assertTrue(output().contains("Myelin stopped"), output());
        assertTrue(Files.exists(dataDir.resolve("signing.key")));
    }

    @Test
    void restartsOnItsDataDirAfterBeingKilled() throws Exception {
        Path dataDir = dir.resolve("data");
        int clientPort = TestHomeserver.freePort();
        Map<String, String> env = serverEnv(dataDir, clientPort, TestHomeserver.freePort());
        Process first = launch(env);
        awaitReady(first, clientPort);
        String key = Files.readString(dataDir.resolve("signing.key"));
        int orphanPort = postgresPort(dataDir);

        first.destroyForcibly(); // SIGKILL: no shutdown hook, PostgreSQL is left running
        first.waitFor(30, TimeUnit.SECONDS);
        assertTrue(HomeserverIT.listening(orphanPort), "PostgreSQL outlived the killed JVM");

        Process second = launch(env);
        awaitReady(second, clientPort);
        assertFalse(HomeserverIT.listening(orphanPort), "the orphaned PostgreSQL was stopped");
        assertEquals(key, Files.readString(dataDir.resolve("signing.key")), "same signing key");
        second.destroy();
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
    }

    private void assertConfigError(Map<String, String> env, String expectedLine, String... args) throws Exception {
        Process main = launch(env, args);
        assertTrue(main.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, main.exitValue(), output());
        assertEquals(List.of(expectedLine), Files.readAllLines(dir.resolve("stderr.txt")), "exactly one line, no stack trace");
    }

    @Test
    void badConfigurationStopsStartUpWithOneLineNamingTheKey() throws Exception {
        assertConfigError(Map.of("MYELIN_CLIENT_PORT", "http"),
                "myelin: config error: listeners[0].port: expected an integer, got 'http' (from MYELIN_CLIENT_PORT)");

        Path missing = dir.resolve("missing.yaml");
        assertConfigError(Map.of(), "myelin: config error: --config: file " + missing + " does not exist",
                "--config", missing.toString());

        Path unknownKey = Files.writeString(dir.resolve("unknown.yaml"), "registration:\n  open: true\n");
        String line = "myelin: config error: registration.open: unknown key (known keys here: enabled, guest_access, "
                + "loopback_only, require_token, shared_secret) (in " + unknownKey + ")";
        assertConfigError(Map.of(), line, "--config", unknownKey.toString());

        Path badName = Files.writeString(dir.resolve("name.yaml"), "server_name: 'my server'\n");
        Process main = launch(Map.of(), "--config", badName.toString());
        assertTrue(main.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, main.exitValue());
        List<String> err = Files.readAllLines(dir.resolve("stderr.txt"));
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("myelin: config error: server_name: 'my server' is not a valid server name"), err.get(0));
    }

    @Test
    void unreachableDatabaseStopsStartUpWithOneLine() throws Exception {
        int closedPort = TestHomeserver.freePort();
        Map<String, String> env = serverEnv(dir.resolve("data"), TestHomeserver.freePort(), TestHomeserver.freePort());
        env.put("MYELIN_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/myelin");
        Process main = launch(env);
        assertTrue(main.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, main.exitValue(), output());
        List<String> err = Files.readAllLines(dir.resolve("stderr.txt"));
        assertEquals(1, err.size(), err.toString());
        assertTrue(err.get(0).startsWith("myelin: cannot start: cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:"
                + closedPort + "/myelin: Connection"), err.get(0));
    }
}
