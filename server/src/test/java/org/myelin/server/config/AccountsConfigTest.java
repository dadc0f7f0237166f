package org.myelin.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auth} and {@code rate_limits} config sections. */
class AccountsConfigTest {

    @TempDir
    Path dir;

    private HomeserverConfig yaml(String text) throws IOException {
        Path file = dir.resolve("hs.yaml");
        Files.writeString(file, text);
        return ConfigLoader.load(Optional.of(file), Map.of());
    }

    @Test
    void defaultsAreSynapseLike() {
        HomeserverConfig c = HomeserverConfig.defaults();
        assertEquals(300_000, c.auth().refreshableAccessTokenLifetimeMs());
        assertNull(c.auth().nonrefreshableAccessTokenLifetimeMs());
        assertEquals(new HomeserverConfig.RateLimit(0.17, 3), c.rateLimits().registration());
        assertEquals(new HomeserverConfig.RateLimit(0.2, 10), c.rateLimits().message());
    }

    @Test
    void fileOverridesSingleKeys() throws IOException {
        HomeserverConfig c = yaml("""
                auth:
                  nonrefreshable_access_token_lifetime_ms: 86400000
                  password_hashing:
                    memory_kib: 65536
                    concurrency: 3
                rate_limits:
                  login:
                    per_second: 2.5
                """);
        assertEquals(86_400_000L, c.auth().nonrefreshableAccessTokenLifetimeMs());
        assertEquals(65_536, c.auth().passwordHashing().memoryKib());
        assertEquals(2, c.auth().passwordHashing().iterations(), "unnamed keys keep their defaults");
        assertEquals(3, c.auth().passwordHashing().concurrency());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                HomeserverConfig.defaults().auth().passwordHashing().concurrency(), "half the cores by default");
        assertEquals(new HomeserverConfig.RateLimit(2.5, 3), c.rateLimits().login());
    }

    @Test
    void environmentOverrides() {
        HomeserverConfig c = ConfigLoader.load(Optional.empty(), Map.of(
                "MYELIN_RATE_LIMITS_MESSAGE_PER_SECOND", "5",
                "MYELIN_RATE_LIMITS_MESSAGE_BURST", "50",
                "MYELIN_AUTH_NONREFRESHABLE_ACCESS_TOKEN_LIFETIME_MS", "1000"));
        assertEquals(new HomeserverConfig.RateLimit(5, 50), c.rateLimits().message());
        assertEquals(1000L, c.auth().nonrefreshableAccessTokenLifetimeMs());
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("rate_limits.registration.burst", assertThrows(ConfigException.class,
                () -> yaml("rate_limits: {registration: {burst: 0}}")).key());
        assertEquals("rate_limits.login.per_second", assertThrows(ConfigException.class,
                () -> yaml("rate_limits: {login: {per_second: -1}}")).key());
        assertEquals("auth.password_hashing.memory_kib", assertThrows(ConfigException.class,
                () -> yaml("auth: {password_hashing: {memory_kib: 4}}")).key());
        assertEquals("auth.password_hashing.concurrency", assertThrows(ConfigException.class,
                () -> yaml("auth: {password_hashing: {concurrency: 0}}")).key());
        assertEquals("auth.refreshable_access_token_lifetime_ms", assertThrows(ConfigException.class,
                () -> yaml("auth: {refreshable_access_token_lifetime_ms: 0}")).key());
    }

    @Test
    void exampleFileDocumentsTheNewKeys() throws IOException {
        String example = Files.readString(Path.of("../config/homeserver.example.yaml"));
        for (String key : List.of("auth", "refreshable_access_token_lifetime_ms",
                "nonrefreshable_access_token_lifetime_ms", "password_hashing", "memory_kib", "iterations",
                "parallelism", "concurrency", "rate_limits", "login", "login_failures", "registration", "message", "per_second",
                "burst")) {
            assertTrue(example.contains(key + ":"), key);
        }
    }
}
