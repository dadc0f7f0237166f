package org.myelin.server.client.spaces;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * {@code GET /_matrix/client/v1/rooms/{roomId}/hierarchy} over a tree of spaces on two Myelins,
 * and {@code GET /_matrix/federation/v1/hierarchy/{roomId}} as another server reads it.
 *
 * <pre>
 * space (a)                      on the first server, alice's
 *   ├─ "a" room one              suggested
 *   ├─ "b" subspace              suggested
 *   │    ├─ room two             suggested
 *   │    └─ space                (a loop)
 *   ├─ "c" hidden                eve's, invite only: not for alice
 *   ├─ "d" readable              eve's, invite only but world readable
 *   ├─ "e" on b                  on the second server, bob's
 *   └─ "f" space on b            on the second server
 *        ├─ room on b two        suggested
 *        └─ secret on b          invite only: inaccessible to the first server
 * </pre>
 */
class SpaceHierarchyIT {

    static final String V3 = "/_matrix/client/v3";
    static TestHomeserver a;
    static TestHomeserver b;
    static FakeRemoteServer fake;
    static TestUser alice;
    static TestUser eve;
    static TestUser bob;
    static String space;
    static String roomOne;
    static String subspace;
    static String roomTwo;
    static String hidden;
    static String readable;
    static String onB;
    static String spaceOnB;
    static String roomOnBTwo;
    static String secretOnB;

    @BeforeAll
    static void buildTheTree() {
        a = TestHomeserver.start();
        b = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        alice = a.registerUser("alice");
        eve = a.registerUser("eve");
        bob = b.registerUser("bob");
        space = create(a, alice, "{\"preset\":\"public_chat\",\"name\":\"The space\",\"topic\":\"Everything\","
                + "\"creation_content\":{\"type\":\"m.space\"}}");
        roomOne = create(a, alice, "{\"preset\":\"public_chat\",\"name\":\"Room one\"}");
        subspace = create(a, alice, "{\"preset\":\"public_chat\",\"name\":\"Subspace\",\"creation_content\":{\"type\":\"m.space\"}}");
        roomTwo = create(a, alice, "{\"preset\":\"public_chat\",\"name\":\"Room two\"}");
        hidden = create(a, eve, "{\"preset\":\"private_chat\",\"name\":\"Hidden\"}");
        readable = create(a, eve, "{\"preset\":\"private_chat\",\"name\":\"Readable\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"world_readable\"}}]}");
        onB = create(b, bob, "{\"preset\":\"public_chat\",\"name\":\"On b\"}");
        spaceOnB = create(b, bob, "{\"preset\":\"public_chat\",\"name\":\"Space on b\",\"creation_content\":{\"type\":\"m.space\"}}");
        roomOnBTwo = create(b, bob, "{\"preset\":\"public_chat\",\"name\":\"Room on b two\"}");
        secretOnB = create(b, bob, "{\"preset\":\"private_chat\",\"name\":\"Secret on b\"}");

        child(a, alice, space, roomOne, "\"order\":\"a\",\"suggested\":true", a);
        child(a, alice, space, subspace, "\"order\":\"b\",\"suggested\":true", a);
        child(a, alice, space, hidden, "\"order\":\"c\"", a);
        child(a, alice, space, readable, "\"order\":\"d\"", a);
        child(a, alice, space, onB, "\"order\":\"e\"", b);
        child(a, alice, space, spaceOnB, "\"order\":\"f\"", b);
        child(a, alice, subspace, roomTwo, "\"order\":\"a\",\"suggested\":true", a);
        child(a, alice, subspace, space, "\"order\":\"b\"", a);
        child(b, bob, spaceOnB, roomOnBTwo, "\"order\":\"a\",\"suggested\":true", b);
        child(b, bob, spaceOnB, secretOnB, "\"order\":\"b\"", b);
    }

    @AfterAll
    static void stop() {
        fake.close();
        b.close();
        a.close();
    }

    @Test
    void walksTheTreeDepthFirstInTheSpacesOrderEachRoomOnceAndOnlyWhatTheRequesterMaySee() {
        JsonNode page = hierarchy(alice, space, "");
        assertEquals(List.of(space, roomOne, subspace, roomTwo, readable, onB, spaceOnB, roomOnBTwo), ids(page));
        assertFalse(page.has("next_batch"), page.toString());

        JsonNode root = page.path("rooms").get(0);
        assertEquals("The space", root.path("name").asText());
        assertEquals("Everything", root.path("topic").asText());
        assertEquals("m.space", root.path("room_type").asText());
        assertEquals("public", root.path("join_rule").asText());
        assertEquals(1, root.path("num_joined_members").asInt());
        assertEquals(a.homeserver().config().roomVersionByDefault().id(), root.path("room_version").asText());
        assertFalse(root.path("world_readable").asBoolean());
        assertFalse(root.path("guest_can_join").asBoolean());
        JsonNode children = root.path("children_state");
        assertEquals(6, children.size(), children.toString());
        JsonNode first = children.get(0);
        assertEquals("m.space.child", first.path("type").asText());
        assertEquals(roomOne, first.path("state_key").asText());
        assertEquals(a.serverName(), first.path("content").path("via").get(0).asText());
        assertEquals(alice.userId(), first.path("sender").asText());
        assertTrue(first.path("origin_server_ts").asLong() > 0);
        assertFalse(first.has("event_id") || first.has("room_id"), "children_state events are stripped");

        JsonNode room = page.path("rooms").get(1);
        assertEquals("Room one", room.path("name").asText());
        assertFalse(room.has("room_type"));
        assertEquals(0, room.path("children_state").size());
        assertTrue(page.path("rooms").get(4).path("world_readable").asBoolean());
    }

    @Test
    void aChildOnAnotherServerIsDescribedByThatServer() {
        JsonNode page = hierarchy(alice, space, "");
        JsonNode remote = room(page, onB);
        assertEquals("On b", remote.path("name").asText());
        assertEquals(1, remote.path("num_joined_members").asInt());
        assertEquals("public", remote.path("join_rule").asText());
        JsonNode remoteSpace = room(page, spaceOnB);
        assertEquals("m.space", remoteSpace.path("room_type").asText());
        assertEquals(List.of(roomOnBTwo, secretOnB), stateKeys(remoteSpace.path("children_state")));
        assertEquals("Room on b two", room(page, roomOnBTwo).path("name").asText());
        assertFalse(ids(page).contains(secretOnB), "the second server said the first may not see it");
    }

    @Test
    void maxDepthStopsTheWalk() {
        assertEquals(List.of(space), ids(hierarchy(alice, space, "?max_depth=0")));
        JsonNode page = hierarchy(alice, space, "?max_depth=1");
        assertEquals(List.of(space, roomOne, subspace, readable, onB, spaceOnB), ids(page));
        assertEquals(List.of(roomTwo, space), stateKeys(room(page, subspace).path("children_state")),
                "a space at the last level still lists its children");
    }

    @Test
    void suggestedOnlyFollowsSuggestedChildren() {
        JsonNode page = hierarchy(alice, space, "?suggested_only=true");
        assertEquals(List.of(space, roomOne, subspace, roomTwo), ids(page));
        assertEquals(List.of(roomOne, subspace), stateKeys(page.path("rooms").get(0).path("children_state")));
    }

    @Test
    void pagesContinueWhereTheLastEndedWithTheSameParameters() {
        JsonNode first = hierarchy(alice, space, "?limit=3");
        assertEquals(List.of(space, roomOne, subspace), ids(first));
        String token = first.path("next_batch").asText();
        assertFalse(token.isEmpty(), first.toString());
        JsonNode second = hierarchy(alice, space, "?limit=3&from=" + enc(token));
        assertEquals(List.of(roomTwo, readable, onB), ids(second));
        assertEquals(ids(second), ids(hierarchy(alice, space, "?limit=3&from=" + enc(token))), "a page asked again");
        JsonNode third = hierarchy(alice, space, "?limit=3&from=" + enc(second.path("next_batch").asText()));
        assertEquals(List.of(spaceOnB, roomOnBTwo), ids(third));
        assertFalse(third.has("next_batch"), third.toString());

        String path = "/_matrix/client/v1/rooms/" + enc(space) + "/hierarchy";
        for (String changed : List.of("?suggested_only=true&from=", "?max_depth=2&from=", "?from=nonsense")) {
            String query = changed.endsWith("=") ? changed + enc(token) : changed;
            assertEquals("M_INVALID_PARAM", a.expect(400, alice, "GET", path + query, null).path("errcode").asText(),
                    query);
        }
        assertEquals("M_INVALID_PARAM", a.expect(400, eve, "GET", path + "?from=" + enc(token), null)
                .path("errcode").asText(), "a token is its requester's");
        assertEquals("M_INVALID_PARAM", a.expect(400, alice, "GET", path + "?limit=0", null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", a.expect(400, alice, "GET", path + "?max_depth=-1", null).path("errcode").asText());
    }

    @Test
    void aSpaceTheRequesterMayNotSeeIsForbidden() {
        String privateSpace = create(a, eve, "{\"preset\":\"private_chat\",\"creation_content\":{\"type\":\"m.space\"}}");
        String path = "/_matrix/client/v1/rooms/" + enc(privateSpace) + "/hierarchy";
        assertEquals("M_FORBIDDEN", a.expect(403, alice, "GET", path, null).path("errcode").asText());
        assertEquals("M_FORBIDDEN", a.expect(403, alice, "GET", "/_matrix/client/v1/rooms/"
                + enc("!unknown:" + a.serverName()) + "/hierarchy", null).path("errcode").asText());
        assertEquals(401, a.request("GET", path, null).statusCode());
        assertEquals(List.of(privateSpace), ids(a.expect(200, eve, "GET", path, null)));
    }

    @Test
    void theFederationHierarchyGivesOneLevelForTheAskingServer() {
        String path = "/_matrix/federation/v1/hierarchy/" + enc(spaceOnB);
        JsonNode answer = federation(path);
        assertEquals(spaceOnB, answer.path("room").path("room_id").asText());
        assertEquals("m.space", answer.path("room").path("room_type").asText());
        assertEquals(List.of(roomOnBTwo, secretOnB), stateKeys(answer.path("room").path("children_state")));
        assertEquals(1, answer.path("children").size(), answer.toString());
        assertEquals(roomOnBTwo, answer.path("children").get(0).path("room_id").asText());
        assertEquals("Room on b two", answer.path("children").get(0).path("name").asText());
        assertFalse(answer.path("children").get(0).has("children_state"));
        assertEquals(List.of(secretOnB), strings(answer.path("inaccessible_children")));

        JsonNode suggested = federation(path + "?suggested_only=true");
        assertEquals(List.of(roomOnBTwo), stateKeys(suggested.path("room").path("children_state")));
        assertEquals(0, suggested.path("inaccessible_children").size());

        for (String hiddenRoom : List.of(secretOnB, "!unknown:" + b.serverName())) {
            HttpResponse<String> r = fake.request(b, "GET", "/_matrix/federation/v1/hierarchy/" + enc(hiddenRoom), null);
            assertEquals(404, r.statusCode(), r.body());
            assertEquals("M_NOT_FOUND", TestHomeserver.json(r).path("errcode").asText());
        }
    }

    private static JsonNode federation(String path) {
        HttpResponse<String> r = fake.request(b, "GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return TestHomeserver.json(r);
    }

    private static JsonNode hierarchy(TestUser user, String roomId, String query) {
        return a.expect(200, user, "GET", "/_matrix/client/v1/rooms/" + enc(roomId) + "/hierarchy" + query, null);
    }

    private static String create(TestHomeserver hs, TestUser user, String body) {
        return hs.expect(200, user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    /** Makes {@code child} a child of {@code parent}, reached through {@code via}, with extra content fields. */
    private static void child(TestHomeserver hs, TestUser user, String parent, String child, String fields,
                              TestHomeserver via) {
        String content = "{\"via\":[\"" + via.serverName() + "\"]" + (fields.isEmpty() ? "" : "," + fields) + "}";
        hs.expect(200, user, "PUT", V3 + "/rooms/" + enc(parent) + "/state/m.space.child/" + enc(child), content);
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("rooms").forEach(r -> ids.add(r.path("room_id").asText()));
        return ids;
    }

    private static JsonNode room(JsonNode page, String roomId) {
        for (JsonNode r : page.path("rooms")) {
            if (roomId.equals(r.path("room_id").asText())) {
                return r;
            }
        }
        throw new AssertionError(roomId + " not in " + page);
    }

    private static List<String> stateKeys(JsonNode events) {
        List<String> keys = new ArrayList<>();
        events.forEach(e -> keys.add(e.path("state_key").asText()));
        return keys;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
