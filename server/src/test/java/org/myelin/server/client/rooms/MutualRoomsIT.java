package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Rooms.enc;

/** {@code GET /_matrix/client/v1/mutual_rooms}: rooms both users are joined to, in batches. */
class MutualRoomsIT {

    private static final String MUTUAL = "/_matrix/client/v1/mutual_rooms";

    static TestHomeserver hs;
    static Rooms rooms;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static JsonNode mutual(TestUser asker, String query) {
        return rooms.ok(asker, "GET", MUTUAL + query, null);
    }

    private static List<String> ids(JsonNode joined) {
        List<String> ids = new ArrayList<>();
        joined.forEach(id -> ids.add(id.asText()));
        return ids;
    }

    @Test
    void onlyRoomsBothAreJoinedTo() {
        TestUser alice = hs.registerUser("alice");
        TestUser bob = hs.registerUser("bob");
        String both = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, both);
        String alsoBoth = rooms.create(bob, "{\"preset\":\"public_chat\"}");
        rooms.join(alice, alsoBoth);
        rooms.create(alice, "{\"preset\":\"public_chat\"}"); // alice alone
        String invited = rooms.create(alice, "{\"preset\":\"private_chat\"}");
        rooms.invite(alice, invited, bob); // bob only invited
        String left = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, left);
        rooms.leave(bob, left);

        JsonNode answer = mutual(alice, "?user_id=" + enc(bob.userId()));
        List<String> expected = new ArrayList<>(List.of(both, alsoBoth));
        expected.sort(null);
        assertEquals(expected, ids(answer.path("joined")), "sorted by room id: " + answer);
        assertEquals(2, answer.path("count").asInt());
        assertFalse(answer.has("next_batch"), "one batch: " + answer);
        assertEquals(expected, ids(mutual(bob, "?user_id=" + enc(alice.userId())).path("joined")), "symmetric");

        JsonNode nobody = mutual(alice, "?user_id=" + enc("@nobody:" + hs.serverName()));
        assertEquals(0, nobody.path("joined").size());
        assertEquals(0, nobody.path("count").asInt());
    }

    @Test
    void moreThanOneBatchIsPagedWithNextBatch() {
        TestUser carol = hs.registerUser("carol");
        TestUser dave = hs.registerUser("dave");
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < MutualRoomsRoutes.BATCH + 3; i++) {
            String roomId = rooms.create(carol, "{\"preset\":\"public_chat\"}");
            rooms.join(dave, roomId);
            shared.add(roomId);
        }
        shared.sort(null);

        JsonNode first = mutual(carol, "?user_id=" + enc(dave.userId()));
        assertEquals(shared.subList(0, MutualRoomsRoutes.BATCH), ids(first.path("joined")));
        assertEquals(shared.size(), first.path("count").asInt(), "the count of all batches");
        assertTrue(first.has("next_batch"), first::toString);
        JsonNode second = mutual(carol, "?user_id=" + enc(dave.userId()) + "&from="
                + enc(first.path("next_batch").asText()));
        assertEquals(shared.subList(MutualRoomsRoutes.BATCH, shared.size()), ids(second.path("joined")));
        assertEquals(shared.size(), second.path("count").asInt());
        assertFalse(second.has("next_batch"), "the last batch: " + second);
    }

    @Test
    void badRequestsAreRefused() {
        TestUser erin = hs.registerUser("erin");
        TestUser frank = hs.registerUser("frank");
        rooms.fails(400, "M_MISSING_PARAM", erin, "GET", MUTUAL, null);
        rooms.fails(400, "M_INVALID_PARAM", erin, "GET", MUTUAL + "?user_id=" + enc(erin.userId()), null);
        rooms.fails(400, "M_INVALID_PARAM", erin, "GET", MUTUAL + "?user_id=frank", null);
        rooms.fails(400, "M_INVALID_PARAM", erin, "GET", MUTUAL + "?user_id=" + enc("@fr ank:" + hs.serverName()), null);
        rooms.fails(400, "M_INVALID_PARAM", erin, "GET", MUTUAL + "?user_id=" + enc(frank.userId()) + "&user_id="
                + enc(frank.userId()), null);
        rooms.fails(400, "M_INVALID_PARAM", erin, "GET", MUTUAL + "?user_id=" + enc(frank.userId()) + "&from=%25%25",
                null);
        assertEquals(401, hs.get(MUTUAL + "?user_id=" + enc(frank.userId())).statusCode());
    }
}
