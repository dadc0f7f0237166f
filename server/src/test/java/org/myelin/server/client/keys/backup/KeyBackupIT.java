package org.myelin.server.client.keys.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Server-side key backups (client-server API, "Server-side key backups") on a real server:
 * versions, keys at every level, the rule that keeps the better key of a session, etag and count,
 * and the errors for a version that is not the current one or does not exist.
 */
class KeyBackupIT {

    static final String ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
    static final String ROOM = "!room:example.org";
    static final String VERSIONS = "/_matrix/client/v3/room_keys/version";
    static final String KEYS = "/_matrix/client/v3/room_keys/keys";

    static TestHomeserver hs;
    static final AtomicInteger USERS = new AtomicInteger();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser user() {
        return hs.registerUser("backup" + USERS.incrementAndGet());
    }

    static String create(TestUser user, String publicKey) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("algorithm", ALGORITHM);
        body.putObject("auth_data").put("public_key", publicKey).putObject("signatures");
        return hs.expect(200, user, "POST", VERSIONS, body.toString()).path("version").asText();
    }

    static ObjectNode key(boolean verified, int firstMessageIndex, int forwardedCount, String marker) {
        ObjectNode key = Json.MAPPER.createObjectNode().put("first_message_index", firstMessageIndex)
                .put("forwarded_count", forwardedCount).put("is_verified", verified);
        key.putObject("session_data").put("ephemeral", "e").put("ciphertext", marker).put("mac", "m");
        return key;
    }

    static String session(String room, String session) {
        return KEYS + "/" + enc(room) + "/" + enc(session);
    }

    static JsonNode put(TestUser user, String version, String session, ObjectNode key) {
        return hs.expect(200, user, "PUT", session(ROOM, session) + "?version=" + version, key.toString());
    }

    static String stored(TestUser user, String version, String session) {
        return hs.expect(200, user, "GET", session(ROOM, session) + "?version=" + version, null)
                .path("session_data").path("ciphertext").asText();
    }

    @Test
    void aNewBackupIsTheCurrentOneAndKeepsItsAuthData() {
        TestUser alice = user();
        JsonNode none = hs.expect(404, alice, "GET", VERSIONS, null);
        assertEquals("M_NOT_FOUND", none.path("errcode").asText());

        String version = create(alice, "key one");

        JsonNode current = hs.expect(200, alice, "GET", VERSIONS, null);
        assertEquals(version, current.path("version").asText());
        assertEquals(ALGORITHM, current.path("algorithm").asText());
        assertEquals("key one", current.path("auth_data").path("public_key").asText());
        assertTrue(current.path("auth_data").path("signatures").isObject());
        assertEquals(0, current.path("count").asInt());
        assertTrue(current.path("etag").isTextual());
        assertEquals(current, hs.expect(200, alice, "GET", VERSIONS + "/" + version, null));
        hs.expect(404, user(), "GET", VERSIONS + "/" + version, null);
    }

    @Test
    void uploadsCountAndMoveTheEtagWhenSomethingChanged() {
        TestUser alice = user();
        String version = create(alice, "k");
        String initial = hs.expect(200, alice, "GET", VERSIONS, null).path("etag").asText();

        JsonNode first = put(alice, version, "s1", key(false, 0, 0, "one"));
        assertEquals(1, first.path("count").asInt());
        assertNotEquals(initial, first.path("etag").asText());

        ObjectNode room = Json.MAPPER.createObjectNode();
        room.putObject("sessions").set("s2", key(false, 0, 0, "two"));
        JsonNode second = hs.expect(200, alice, "PUT", KEYS + "/" + enc(ROOM) + "?version=" + version, room.toString());
        assertEquals(2, second.path("count").asInt());

        ObjectNode all = Json.MAPPER.createObjectNode();
        all.putObject("rooms").putObject("!other:example.org").putObject("sessions").set("s3", key(true, 0, 0, "three"));
        JsonNode third = hs.expect(200, alice, "PUT", KEYS + "?version=" + version, all.toString());
        assertEquals(3, third.path("count").asInt());

        JsonNode unchanged = put(alice, version, "s1", key(false, 0, 0, "not better"));
        assertEquals(3, unchanged.path("count").asInt());
        assertEquals(third.path("etag").asText(), unchanged.path("etag").asText(), "nothing changed");
        JsonNode info = hs.expect(200, alice, "GET", VERSIONS, null);
        assertEquals(3, info.path("count").asInt());
        assertEquals(third.path("etag").asText(), info.path("etag").asText());

        JsonNode everything = hs.expect(200, alice, "GET", KEYS + "?version=" + version, null);
        assertEquals("one", everything.path("rooms").path(ROOM).path("sessions").path("s1").path("session_data")
                .path("ciphertext").asText());
        assertEquals(key(true, 0, 0, "three"),
                everything.path("rooms").path("!other:example.org").path("sessions").path("s3"));
        JsonNode ofRoom = hs.expect(200, alice, "GET", KEYS + "/" + enc(ROOM) + "?version=" + version, null);
        assertEquals(2, ofRoom.path("sessions").size());
        JsonNode emptyRoom = hs.expect(200, alice, "GET", KEYS + "/" + enc("!none:x") + "?version=" + version, null);
        assertEquals(0, emptyRoom.path("sessions").size());
        hs.expect(404, alice, "GET", session(ROOM, "nope") + "?version=" + version, null);
    }

    @Test
    void aVerifiedKeyBeatsAnUnverifiedOne() {
        TestUser alice = user();
        String version = create(alice, "k");
        put(alice, version, "s", key(false, 0, 0, "unverified"));
        put(alice, version, "s", key(true, 5, 5, "verified"));
        assertEquals("verified", stored(alice, version, "s"));
        put(alice, version, "s", key(false, 0, 0, "unverified again"));
        assertEquals("verified", stored(alice, version, "s"), "is_verified comes before the index and the count");
    }

    @Test
    void thenTheLowerFirstMessageIndexWins() {
        TestUser alice = user();
        String version = create(alice, "k");
        put(alice, version, "s", key(true, 10, 0, "from 10"));
        put(alice, version, "s", key(true, 5, 3, "from 5"));
        assertEquals("from 5", stored(alice, version, "s"));
        put(alice, version, "s", key(true, 7, 0, "from 7"));
        assertEquals("from 5", stored(alice, version, "s"), "the index comes before the count");
    }

    @Test
    void thenTheLowerForwardedCountWins() {
        TestUser alice = user();
        String version = create(alice, "k");
        put(alice, version, "s", key(false, 3, 4, "forwarded 4 times"));
        JsonNode better = put(alice, version, "s", key(false, 3, 1, "forwarded once"));
        assertEquals("forwarded once", stored(alice, version, "s"));
        JsonNode worse = put(alice, version, "s", key(false, 3, 2, "forwarded twice"));
        assertEquals("forwarded once", stored(alice, version, "s"));
        assertEquals(better.path("etag").asText(), worse.path("etag").asText());
    }

    @Test
    void onlyTheCurrentVersionTakesKeys() {
        TestUser alice = user();
        String old = create(alice, "old");
        String current = create(alice, "new");

        JsonNode wrong = hs.expect(403, alice, "PUT", session(ROOM, "s") + "?version=" + old,
                key(false, 0, 0, "x").toString());
        assertEquals("M_WRONG_ROOM_KEYS_VERSION", wrong.path("errcode").asText());
        assertEquals(current, wrong.path("current_version").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "PUT", session(ROOM, "s") + "?version=999",
                key(false, 0, 0, "x").toString()).path("errcode").asText());
        hs.expect(404, alice, "PUT", session(ROOM, "s") + "?version=abc", key(false, 0, 0, "x").toString());
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "PUT", session(ROOM, "s"),
                key(false, 0, 0, "x").toString()).path("errcode").asText());
        hs.expect(404, user(), "PUT", session(ROOM, "s") + "?version=" + current, key(false, 0, 0, "x").toString());
    }

    @Test
    void deletingKeysCountsDownAndMovesTheEtag() {
        TestUser alice = user();
        String version = create(alice, "k");
        put(alice, version, "s1", key(false, 0, 0, "1"));
        put(alice, version, "s2", key(false, 0, 0, "2"));
        JsonNode last = put(alice, version, "s3", key(false, 0, 0, "3"));

        JsonNode one = hs.expect(200, alice, "DELETE", session(ROOM, "s1") + "?version=" + version, null);
        assertEquals(2, one.path("count").asInt());
        assertNotEquals(last.path("etag").asText(), one.path("etag").asText());
        hs.expect(404, alice, "GET", session(ROOM, "s1") + "?version=" + version, null);
        JsonNode room = hs.expect(200, alice, "DELETE", KEYS + "/" + enc(ROOM) + "?version=" + version, null);
        assertEquals(0, room.path("count").asInt());
        put(alice, version, "s4", key(false, 0, 0, "4"));
        assertEquals(0, hs.expect(200, alice, "DELETE", KEYS + "?version=" + version, null).path("count").asInt());
        assertEquals(0, hs.expect(200, alice, "GET", KEYS + "?version=" + version, null).path("rooms").size());
        hs.expect(404, alice, "DELETE", KEYS + "?version=999", null);
    }

    @Test
    void aDeletedVersionIsGoneWithItsKeys() {
        TestUser alice = user();
        String first = create(alice, "first");
        String second = create(alice, "second");
        put(alice, second, "s", key(false, 0, 0, "x"));

        hs.expect(200, alice, "DELETE", VERSIONS + "/" + second, null);
        hs.expect(404, alice, "GET", VERSIONS + "/" + second, null);
        hs.expect(404, alice, "GET", KEYS + "?version=" + second, null);
        hs.expect(200, alice, "DELETE", VERSIONS + "/" + second, null);
        hs.expect(404, alice, "DELETE", VERSIONS + "/999", null);
        assertEquals(first, hs.expect(200, alice, "GET", VERSIONS, null).path("version").asText(),
                "the newest version left is the current one");
        String third = create(alice, "third");
        assertNotEquals(second, third, "a version number is never given twice");
    }

    @Test
    void onlyAuthDataOfAVersionChanges() {
        TestUser alice = user();
        String version = create(alice, "before");
        ObjectNode update = Json.MAPPER.createObjectNode().put("algorithm", ALGORITHM).put("version", version);
        update.putObject("auth_data").put("public_key", "after");
        hs.expect(200, alice, "PUT", VERSIONS + "/" + version, update.toString());
        assertEquals("after", hs.expect(200, alice, "GET", VERSIONS, null).path("auth_data").path("public_key").asText());

        update.put("algorithm", "org.example.other");
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", VERSIONS + "/" + version, update.toString())
                .path("errcode").asText());
        update.put("algorithm", ALGORITHM).put("version", "999");
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", VERSIONS + "/" + version, update.toString())
                .path("errcode").asText());
        update.remove("version");
        hs.expect(404, alice, "PUT", VERSIONS + "/999", update.toString());
    }

    @Test
    void deactivationDeletesTheBackups() throws Exception {
        TestUser alice = user();
        String version = create(alice, "k");
        put(alice, version, "s", key(false, 0, 0, "x"));
        String body = "{\"auth\":{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\""
                + alice.userId() + "\"},\"password\":\"" + alice.password() + "\"}}";
        hs.expect(200, alice, "POST", "/_matrix/client/v3/account/deactivate", body);

        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT (SELECT count(*) FROM room_key_backup_versions "
                     + "WHERE user_id = ?) + (SELECT count(*) FROM room_key_backup_keys WHERE user_id = ?)")) {
            ps.setString(1, alice.userId());
            ps.setString(2, alice.userId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1));
            }
        }
    }

    @Test
    void malformedKeysAreRefused() {
        TestUser alice = user();
        String version = create(alice, "k");
        ObjectNode notBoolean = key(false, 0, 0, "x").put("is_verified", "yes");
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", session(ROOM, "s") + "?version=" + version,
                notBoolean.toString()).path("errcode").asText());
        ObjectNode noData = key(false, 0, 0, "x");
        noData.remove("session_data");
        assertEquals("M_BAD_JSON", hs.expect(400, alice, "PUT", session(ROOM, "s") + "?version=" + version,
                noData.toString()).path("errcode").asText());
        ObjectNode negative = key(false, -1, 0, "x");
        hs.expect(400, alice, "PUT", session(ROOM, "s") + "?version=" + version, negative.toString());
        hs.expect(400, alice, "POST", VERSIONS, "{\"algorithm\": \"" + ALGORITHM + "\"}");
        assertEquals(0, hs.expect(200, alice, "GET", VERSIONS, null).path("count").asInt());
    }
}
