package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.ephemeral;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;

/** {@code PUT /rooms/{roomId}/typing/{userId}} and {@code m.typing} in /sync. */
class TypingIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static String typing(String roomId, TestUser user) {
        return room(roomId) + "/typing/" + enc(user.userId());
    }

    private static List<String> typists(JsonNode sync, String roomId) {
        List<String> users = new ArrayList<>();
        ephemeral(sync, roomId, "m.typing").path("content").path("user_ids").forEach(u -> users.add(u.asText()));
        return users;
    }

    private String sharedRoom() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        return roomId;
    }

    @Test
    void theOtherUserSeesTypingStartAndStop() {
        String roomId = sharedRoom();
        String since = client.sync(alice).path("next_batch").asText();
        client.ok(bob, "PUT", typing(roomId, bob), obj().put("typing", true).put("timeout", 30_000));

        JsonNode sync = client.longPoll(alice, since, 30_000, "");
        assertEquals(List.of(bob.userId()), typists(sync, roomId));

        client.ok(bob, "PUT", typing(roomId, bob), obj().put("typing", false));
        JsonNode stopped = client.longPoll(alice, sync.path("next_batch").asText(), 30_000, "");
        JsonNode typingEvent = ephemeral(stopped, roomId, "m.typing");
        assertTrue(typingEvent.isObject(), stopped::toString);
        assertEquals(0, typingEvent.path("content").path("user_ids").size());

        JsonNode quiet = client.sync(alice, stopped.path("next_batch").asText(), "");
        assertTrue(ephemeral(quiet, roomId, "m.typing").isMissingNode(), "unchanged typing is not repeated");
    }

    @Test
    void typingExpiresAfterItsTimeout() {
        String roomId = sharedRoom();
        client.ok(bob, "PUT", typing(roomId, bob), obj().put("typing", true).put("timeout", 300));
        String since = client.sync(alice).path("next_batch").asText();
        // The expiry wakes the waiting sync with the emptied list.
        JsonNode expired = client.longPoll(alice, since, 30_000, "");
        while (!ephemeral(expired, roomId, "m.typing").isObject()) {
            expired = client.longPoll(alice, expired.path("next_batch").asText(), 30_000, "");
        }
        assertEquals(List.of(), typists(expired, roomId));
    }

    @Test
    void aTokenFromBeforeARestartStillGetsTypingNews() {
        String roomId = sharedRoom();
        String since = client.sync(alice).path("next_batch").asText();
        // Typing positions live in memory and restart at 0; a token from an older process may be ahead.
        String[] parts = since.split("_");
        parts[2] = "999999";
        String fromOldProcess = String.join("_", parts);
        client.ok(bob, "PUT", typing(roomId, bob), obj().put("typing", true).put("timeout", 30_000));
        JsonNode sync = client.sync(alice, fromOldProcess, "");
        assertEquals(List.of(bob.userId()), typists(sync, roomId));
        client.ok(bob, "PUT", typing(roomId, bob), obj().put("typing", false));
    }

    @Test
    void onlyForYourselfAndOnlyInYourRooms() {
        String roomId = sharedRoom();
        client.fails(403, "M_FORBIDDEN", alice, "PUT", typing(roomId, bob), obj().put("typing", true));
        client.fails(403, "M_FORBIDDEN", eve, "PUT", typing(roomId, eve), obj().put("typing", true));
        client.fails(400, "M_BAD_JSON", bob, "PUT", typing(roomId, bob), obj().put("timeout", 1000));
        client.fails(400, "M_NOT_JSON", bob, "PUT", typing(roomId, bob), "not json");
    }
}
