package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.federation.testing.MutableClock;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.storage.Database;
import org.myelin.storage.federation.ServerKeyRepository;
import org.myelin.storage.testing.TestDatabases;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our published key document, and old keys kept across a key rotation ("Publishing Keys"). */
class LocalKeysIT {

    @Test
    void publishesTheKeyInUseAndTheKeysItReplaced() {
        try (Database db = TestDatabases.freshDatabase()) {
            MutableClock clock = new MutableClock();
            SigningKey first = SigningKey.fromSeed("first", new byte[32]);
            LocalKeys before = new LocalKeys("a.test", first, new ServerKeyRepository(db.dataSource()), clock,
                    Duration.ofDays(1));
            ObjectNode doc = before.document();
            assertEquals("a.test", doc.path("server_name").asText());
            assertTrue(doc.path("verify_keys").has("ed25519:first"));
            assertEquals(0, doc.path("old_verify_keys").size());
            assertEquals(clock.millis() + Duration.ofDays(1).toMillis(), doc.path("valid_until_ts").asLong());
            assertTrue(JsonSigning.verify(doc, "a.test", first.verifyKey()));

            clock.advance(Duration.ofDays(3));
            long rotatedAt = clock.millis();
            byte[] seed = new byte[32];
            seed[0] = 1;
            SigningKey second = SigningKey.fromSeed("second", seed);
            LocalKeys after = new LocalKeys("a.test", second, new ServerKeyRepository(db.dataSource()), clock,
                    Duration.ofHours(2));
            ObjectNode rotated = after.document();
            assertTrue(rotated.path("verify_keys").has("ed25519:second"));
            assertFalse(rotated.path("verify_keys").has("ed25519:first"));
            assertEquals(first.verifyKey().publicKeyBase64(),
                    rotated.path("old_verify_keys").path("ed25519:first").path("key").asText());
            assertEquals(rotatedAt, rotated.path("old_verify_keys").path("ed25519:first").path("expired_ts").asLong());
            assertTrue(JsonSigning.verify(rotated, "a.test", second.verifyKey()));
            assertTrue(after.key("ed25519:first").orElseThrow().isOld());

            LocalKeys again = new LocalKeys("a.test", second, new ServerKeyRepository(db.dataSource()), clock,
                    Duration.ofHours(2));
            assertEquals(rotatedAt, again.document().path("old_verify_keys").path("ed25519:first").path("expired_ts")
                    .asLong(), "a restart with the same key changes nothing");
        }
    }
}
