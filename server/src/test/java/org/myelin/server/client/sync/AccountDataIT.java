package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.joined;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.user;

/** Account data, global and per room, and room tags; delivered by /sync. */
class AccountDataIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static JsonNode find(JsonNode events, String type) {
        for (JsonNode e : events) {
            if (e.path("type").asText().equals(type)) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void globalAccountDataIsStoredAndSynced() throws Exception {
        String since = client.sync(alice).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(alice, since, 30_000, ""));
        Thread.sleep(200);
        client.ok(alice, "PUT", user(alice) + "/account_data/org.example.config", obj().put("colour", "blue"));
        JsonNode sync = waiting.get(60, TimeUnit.SECONDS);
        assertEquals("blue", find(sync.path("account_data").path("events"), "org.example.config")
                .path("content").path("colour").asText(), sync::toString);
        assertEquals("blue", client.ok(alice, "GET", user(alice) + "/account_data/org.example.config", null)
                .path("colour").asText());

        client.ok(alice, "PUT", user(alice) + "/account_data/org.example.config", obj().put("colour", "green"));
        JsonNode initial = client.sync(alice);
        assertEquals("green", find(initial.path("account_data").path("events"), "org.example.config")
                .path("content").path("colour").asText());
        JsonNode quiet = client.sync(alice, initial.path("next_batch").asText(), "");
        assertEquals(0, quiet.path("account_data").path("events").size());
    }

    @Test
    void roomAccountDataComesWithTheRoom() {
        String roomId = client.createRoom(alice, "{}");
        String since = client.sync(alice).path("next_batch").asText();
        String path = user(alice) + "/rooms/" + enc(roomId) + "/account_data/org.example.room";
        client.ok(alice, "PUT", path, obj().put("pinned", true));
        JsonNode sync = client.sync(alice, since, "");
        assertTrue(find(joined(sync, roomId).path("account_data").path("events"), "org.example.room")
                .path("content").path("pinned").asBoolean(), sync::toString);
        assertTrue(client.ok(alice, "GET", path, null).path("pinned").asBoolean());
        client.fails(404, "M_NOT_FOUND", alice, "GET", user(alice) + "/account_data/org.example.room", null);
    }

    @Test
    void errors() {
        client.fails(403, "M_FORBIDDEN", bob, "PUT", user(alice) + "/account_data/x.y", obj());
        client.fails(403, "M_FORBIDDEN", bob, "GET", user(alice) + "/account_data/x.y", null);
        client.fails(404, "M_NOT_FOUND", alice, "GET", user(alice) + "/account_data/never.set", null);
        client.fails(405, "M_BAD_JSON", alice, "PUT", user(alice) + "/account_data/m.push_rules", obj());
        client.fails(405, "M_BAD_JSON", alice, "PUT", user(alice) + "/account_data/m.fully_read", obj());
        client.fails(400, "M_BAD_JSON", alice, "PUT", user(alice) + "/account_data/x.y", "[1, 2]");
        client.fails(400, "M_NOT_JSON", alice, "PUT", user(alice) + "/account_data/x.y", "nope");
        client.fails(400, "M_INVALID_PARAM", alice, "GET", user(alice) + "/rooms/" + enc("@not:a.room")
                + "/account_data/x.y", null);
    }

    @Test
    void tagsAreRoomAccountData() {
        String roomId = client.createRoom(alice, "{}");
        String tags = user(alice) + "/rooms/" + enc(roomId) + "/tags";
        String since = client.sync(alice).path("next_batch").asText();
        client.ok(alice, "PUT", tags + "/m.favourite", obj().put("order", 0.25));
        client.ok(alice, "PUT", tags + "/u.work", obj());

        JsonNode listed = client.ok(alice, "GET", tags, null).path("tags");
        assertEquals(0.25, listed.path("m.favourite").path("order").asDouble());
        assertTrue(listed.has("u.work"));
        JsonNode sync = client.sync(alice, since, "");
        JsonNode tag = find(joined(sync, roomId).path("account_data").path("events"), "m.tag");
        assertEquals(0.25, tag.path("content").path("tags").path("m.favourite").path("order").asDouble(), sync::toString);

        client.ok(alice, "DELETE", tags + "/m.favourite", null);
        JsonNode after = client.sync(alice, sync.path("next_batch").asText(), "");
        JsonNode remaining = find(joined(after, roomId).path("account_data").path("events"), "m.tag")
                .path("content").path("tags");
        assertTrue(remaining.has("u.work") && !remaining.has("m.favourite"), after::toString);
        client.ok(alice, "DELETE", tags + "/never.tagged", null);

        client.fails(400, "M_INVALID_PARAM", alice, "PUT", tags + "/u.late", obj().put("order", 1.5));
        client.fails(400, "M_BAD_JSON", alice, "PUT", tags + "/u.late", obj().put("order", "first"));
        client.fails(400, "M_INVALID_PARAM", alice, "PUT", tags + "/" + "x".repeat(256), obj());
        client.fails(403, "M_FORBIDDEN", bob, "GET", tags, null);
        client.fails(403, "M_FORBIDDEN", bob, "PUT", tags + "/u.mine", obj());
        assertEquals(0, client.ok(alice, "GET", user(alice) + "/rooms/" + enc(client.createRoom(alice, "{}")) + "/tags",
                null).path("tags").size(), "an untagged room has no tags");
    }
}
