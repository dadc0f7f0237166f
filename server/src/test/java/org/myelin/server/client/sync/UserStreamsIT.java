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

/**
 * What /sync carries from the user features: presence of the people one shares a room with,
 * push rules as {@code m.push_rules} account data, and notification counts by push rules.
 */
class UserStreamsIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser stranger;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        stranger = hs.registerUser("stranger");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static JsonNode presenceOf(JsonNode sync, TestUser user) {
        JsonNode found = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        for (JsonNode e : sync.path("presence").path("events")) {
            if (e.path("sender").asText().equals(user.userId())) {
                found = e;
            }
        }
        return found;
    }

    private static JsonNode accountData(JsonNode sync, String type) {
        for (JsonNode e : sync.path("account_data").path("events")) {
            if (e.path("type").asText().equals(type)) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    void presenceOfRoomMatesWakesTheSync() throws Exception {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        String since = client.sync(alice).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(alice, since, 30_000, "&set_presence=offline"));
        Thread.sleep(200);
        client.sync(bob); // a user who has not synced lately counts as offline, whatever they set
        client.ok(bob, "PUT", SyncClient.V3 + "/presence/" + enc(bob.userId()) + "/status",
                obj().put("presence", "unavailable").put("status_msg", "lunch"));

        JsonNode sync = waiting.get(60, TimeUnit.SECONDS);
        String next = sync.path("next_batch").asText();
        // Bob's own sync may have shown him online first; wait for the status he set.
        while (!presenceOf(sync, bob).path("content").path("presence").asText().equals("unavailable")) {
            sync = client.longPoll(alice, next, 30_000, "&set_presence=offline");
            next = sync.path("next_batch").asText();
        }
        JsonNode event = presenceOf(sync, bob);
        assertEquals("m.presence", event.path("type").asText());
        assertEquals("unavailable", event.path("content").path("presence").asText());
        assertEquals("lunch", event.path("content").path("status_msg").asText());

        client.ok(stranger, "PUT", SyncClient.V3 + "/presence/" + enc(stranger.userId()) + "/status",
                obj().put("presence", "online"));
        assertTrue(presenceOf(client.sync(alice), stranger).isMissingNode(), "no room shared, no presence");
    }

    /**
     * Who shares a room with the user is remembered between syncs: someone who joins one of the
     * user's rooms afterwards, or whose room the user joins, is seen at once; one who leaves is not.
     */
    @Test
    void presenceFollowsWhoSharesARoomAsMembershipsChange() {
        TestUser carol = hs.registerUser("carol");
        TestUser dave = hs.registerUser("dave");
        String roomId = client.createRoom(carol, "{\"preset\": \"public_chat\"}");
        setPresence(dave, "online", "before");
        String since = client.sync(carol).path("next_batch").asText();
        setPresence(dave, "online", "still alone");
        JsonNode alone = client.sync(carol, since, "");
        assertTrue(presenceOf(alone, dave).isMissingNode(), alone::toString);

        client.join(dave, roomId);
        setPresence(dave, "online", "joined");
        JsonNode together = client.sync(carol, alone.path("next_batch").asText(), "");
        assertEquals("joined", presenceOf(together, dave).path("content").path("status_msg").asText(),
                together::toString);

        client.ok(dave, "POST", SyncClient.room(roomId) + "/leave", obj());
        setPresence(dave, "online", "left");
        JsonNode apart = client.sync(carol, together.path("next_batch").asText(), "");
        assertTrue(presenceOf(apart, dave).isMissingNode(), apart::toString);

        String davesRoom = client.createRoom(dave, "{\"preset\": \"public_chat\"}");
        client.join(carol, davesRoom);
        setPresence(dave, "online", "hosting");
        JsonNode guest = client.sync(carol, apart.path("next_batch").asText(), "");
        assertEquals("hosting", presenceOf(guest, dave).path("content").path("status_msg").asText(), guest::toString);
    }

    private static void setPresence(TestUser user, String presence, String status) {
        client.ok(user, "PUT", SyncClient.V3 + "/presence/" + enc(user.userId()) + "/status",
                obj().put("presence", presence).put("status_msg", status));
    }

    @Test
    void pushRulesAreAccountData() {
        JsonNode initial = client.sync(alice);
        JsonNode rules = accountData(initial, "m.push_rules");
        assertTrue(rules.path("content").path("global").path("override").isArray(), initial::toString);
        assertTrue(client.ok(alice, "GET", user(alice) + "/account_data/m.push_rules", null).path("global").isObject());

        client.ok(alice, "PUT", SyncClient.V3 + "/pushrules/global/content/cats",
                obj("{\"pattern\": \"cats\", \"actions\": [\"notify\"]}"));
        JsonNode changed = client.sync(alice, initial.path("next_batch").asText(), "");
        boolean found = false;
        for (JsonNode rule : accountData(changed, "m.push_rules").path("content").path("global").path("content")) {
            found |= rule.path("rule_id").asText().equals("cats");
        }
        assertTrue(found, changed::toString);
    }

    @Test
    void mentionsHighlight() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        client.send(alice, roomId, "hello everyone");
        client.send(alice, roomId, "bob, look at this " + bob.userId());
        JsonNode counts = joined(client.sync(bob), roomId).path("unread_notifications");
        assertEquals(2, counts.path("notification_count").asInt(), counts::toString);
        assertEquals(1, counts.path("highlight_count").asInt(), counts::toString);
    }
}
