package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.streams.StreamId;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.sliding.SlidingClient.bodies;
import static org.myelin.server.client.sync.sliding.SlidingClient.listRooms;
import static org.myelin.server.client.sync.sliding.SlidingClient.obj;

/**
 * What a sliding sync woken by news costs, counted in SQL statements: the rooms' order and
 * filters (bump stamps, encryption) follow the events as they commit, so a list over the user's
 * rooms reads none of them again.
 */
class SlidingSyncQueryCountIT {

    static final int ROOMS = 5;
    static final QueryCounter queries = new QueryCounter();
    static TestHomeserver hs;
    static SlidingClient client;
    static TestUser alice;
    static TestUser bob;
    static final List<String> rooms = new ArrayList<>();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().instrument(queries).start();
        client = new SlidingClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        for (int i = 0; i < ROOMS; i++) {
            rooms.add(client.sharedRoom(bob, alice));
        }
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** Waits until the push actions of every event so far are recorded (the recorder's statements are not the request's). */
    private static void settled() {
        long now = hs.homeserver().rooms().streams.position(StreamId.TIMELINE);
        assertTrue(hs.homeserver().pushActions().awaitProcessed(now, Duration.ofSeconds(30)), "push actions recorded");
    }

    /** Lists of all rooms, of the encrypted ones and of the others. */
    private static ObjectNode lists() {
        ObjectNode body = obj();
        for (String name : List.of("all", "e2e", "clear")) {
            ObjectNode list = body.with("lists").putObject(name);
            list.putArray("ranges").addArray().add(0).add(ROOMS - 1);
            list.put("timeline_limit", 1);
            list.putArray("required_state");
            if (!name.equals("all")) {
                list.putObject("filters").put("is_encrypted", name.equals("e2e"));
            }
        }
        return body;
    }

    private static List<String> traitReads(List<String> made) {
        return made.stream().filter(q -> q.contains("m.room.encryption") || q.contains("ORDER BY stream_ordering DESC"))
                .toList();
    }

    @Test
    void aMessageAndEncryptionReorderAndRefilterTheListsWithoutReadingTheRooms() {
        ObjectNode body = lists();
        JsonNode first = client.sync(alice, null, body);
        String pos = client.sync(alice, first.path("pos").asText(), body).path("pos").asText();
        String quiet = rooms.get(1);
        String encrypted = rooms.get(3);

        client.send(bob, quiet, "bumps the quiet room");
        settled();
        QueryCounter.Counted<JsonNode> bumped = queries.counting(() -> client.sync(alice, pos, body));
        assertEquals(quiet, listRooms(bumped.result(), "all").getFirst(), bumped.result()::toString);
        assertEquals(List.of("bumps the quiet room"), bodies(bumped.result(), quiet));
        assertTrue(traitReads(bumped.queries()).isEmpty(), bumped.queries()::toString);

        client.state(bob, encrypted, "m.room.encryption", "", obj().put("algorithm", "m.megolm.v1.aes-sha2"));
        settled();
        QueryCounter.Counted<JsonNode> refiltered = queries.counting(() ->
                client.sync(alice, bumped.result().path("pos").asText(), body));
        assertEquals(List.of(encrypted), listRooms(refiltered.result(), "e2e"), refiltered.result()::toString);
        assertEquals(ROOMS - 1, listRooms(refiltered.result(), "clear").size(), refiltered.result()::toString);
        assertTrue(traitReads(refiltered.queries()).isEmpty(), refiltered.queries()::toString);
    }
}
