package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.sliding.SlidingClient.listRooms;
import static org.myelin.server.client.sync.sliding.SlidingClient.obj;
import static org.myelin.server.client.sync.sliding.SlidingClient.roomOf;

/**
 * A sliding sync list's {@code filters} (MSC4186): {@code is_dm} from {@code m.direct},
 * {@code is_encrypted}, {@code is_invite} (with the invite's stripped state), {@code room_types}
 * and {@code not_room_types}, {@code spaces}; each list counts only the rooms that pass.
 */
class SlidingSyncFiltersIT {

    static TestHomeserver hs;
    static SlidingClient client;
    static final AtomicInteger USERS = new AtomicInteger();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SlidingClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser user(String name) {
        return hs.registerUser(name + "-" + USERS.incrementAndGet());
    }

    /** A request with one list per filter, each over its first ten rooms. */
    static ObjectNode lists(String... nameAndFilters) {
        ObjectNode body = obj();
        ObjectNode lists = body.putObject("lists");
        for (int i = 0; i < nameAndFilters.length; i += 2) {
            ObjectNode list = lists.putObject(nameAndFilters[i]);
            list.putArray("ranges").addArray().add(0).add(9);
            list.put("timeline_limit", 1).putArray("required_state");
            list.set("filters", obj(nameAndFilters[i + 1]));
        }
        return body;
    }

    static Set<String> rooms(JsonNode response, String list) {
        return Set.copyOf(listRooms(response, list));
    }

    @Test
    void isDmFollowsMDirect() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String dm = client.sharedRoom(alice, bob);
        String group = client.createRoom(alice, "{}");
        ObjectNode direct = obj();
        direct.putArray(bob.userId()).add(dm);
        client.ok(alice, "PUT", SlidingClient.V3 + "/user/" + SlidingClient.enc(alice.userId())
                + "/account_data/m.direct", direct);

        JsonNode response = client.sync(alice, null, lists("dms", "{\"is_dm\": true}", "groups", "{\"is_dm\": false}"));
        assertEquals(Set.of(dm), rooms(response, "dms"), response::toString);
        assertEquals(Set.of(group), rooms(response, "groups"), response::toString);
        assertEquals(1, response.path("lists").path("dms").path("count").asInt());
        assertTrue(roomOf(response, dm).path("is_dm").asBoolean(), response::toString);
        assertFalse(roomOf(response, group).has("is_dm"), "is_dm is left out of rooms that are none");
    }

    @Test
    void isEncryptedKeepsRoomsWithEncryption() {
        TestUser alice = user("alice");
        String encrypted = client.createRoom(alice, "{\"initial_state\": [{\"type\": \"m.room.encryption\","
                + " \"state_key\": \"\", \"content\": {\"algorithm\": \"m.megolm.v1.aes-sha2\"}}]}");
        String plain = client.createRoom(alice, "{}");
        String later = client.createRoom(alice, "{}");
        client.state(alice, later, "m.room.encryption", "", obj().put("algorithm", "m.megolm.v1.aes-sha2"));

        JsonNode response = client.sync(alice, null, lists("e2e", "{\"is_encrypted\": true}",
                "clear", "{\"is_encrypted\": false}"));
        assertEquals(Set.of(encrypted, later), rooms(response, "e2e"), response::toString);
        assertEquals(Set.of(plain), rooms(response, "clear"), response::toString);
    }

    @Test
    void isInviteKeepsInvitesWithTheirStrippedState() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String invited = client.createRoom(alice, "{\"name\": \"Invitation\"}");
        client.invite(alice, invited, bob);
        String joined = client.createRoom(bob, "{}");

        JsonNode response = client.sync(bob, null, lists("invites", "{\"is_invite\": true}",
                "rooms", "{\"is_invite\": false}"));
        assertEquals(Set.of(invited), rooms(response, "invites"), response::toString);
        assertEquals(Set.of(joined), rooms(response, "rooms"), response::toString);
        JsonNode invite = roomOf(response, invited);
        assertEquals("Invitation", invite.path("name").asText(), invite::toString);
        assertFalse(invite.has("timeline"), "an invite has no timeline");
        JsonNode last = invite.path("invite_state").path(invite.path("invite_state").size() - 1);
        assertEquals("m.room.member", last.path("type").asText(), invite::toString);
        assertEquals("invite", last.path("content").path("membership").asText());
        assertTrue(invite.path("bump_stamp").isIntegralNumber(), invite::toString);
    }

    @Test
    void roomTypesTellSpacesFromRooms() {
        TestUser alice = user("alice");
        String space = client.createRoom(alice, "{\"creation_content\": {\"type\": \"m.space\"}}");
        String room = client.createRoom(alice, "{}");

        JsonNode response = client.sync(alice, null, lists("spaces", "{\"room_types\": [\"m.space\"]}",
                "untyped", "{\"room_types\": [null]}", "not_spaces", "{\"not_room_types\": [\"m.space\"]}",
                "both", "{\"room_types\": [\"m.space\", null], \"not_room_types\": [\"m.space\"]}"));
        assertEquals(Set.of(space), rooms(response, "spaces"), response::toString);
        assertEquals(Set.of(room), rooms(response, "untyped"), response::toString);
        assertEquals(Set.of(room), rooms(response, "not_spaces"), response::toString);
        assertEquals(Set.of(room), rooms(response, "both"), "not_room_types wins");
    }

    @Test
    void spacesKeepTheirChildren() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String space = client.createRoom(alice, "{\"creation_content\": {\"type\": \"m.space\"}}");
        String child = client.createRoom(alice, "{}");
        String other = client.createRoom(alice, "{}");
        String unlinked = client.createRoom(alice, "{}");
        ObjectNode via = obj();
        via.putArray("via").add(hs.serverName());
        client.state(alice, space, "m.space.child", child, via);
        client.state(alice, space, "m.space.child", unlinked, obj()); // no via: no child
        String bobsSpace = client.createRoom(bob, "{\"creation_content\": {\"type\": \"m.space\"}}");
        client.state(bob, bobsSpace, "m.space.child", other, via);

        JsonNode response = client.sync(alice, null, lists("in_space", "{\"spaces\": [\"" + space + "\"]}",
                "not_joined", "{\"spaces\": [\"" + bobsSpace + "\"]}"));
        assertEquals(Set.of(child), rooms(response, "in_space"), response::toString);
        assertEquals(Set.of(), rooms(response, "not_joined"), "a space alice is not in is ignored");
        assertEquals(List.of(), listRooms(response, "not_joined"));
    }
}
