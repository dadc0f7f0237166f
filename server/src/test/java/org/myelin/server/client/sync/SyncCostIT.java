package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SyncCostIT {

    static QueryCounter queries = new QueryCounter();
    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().instrument(queries).start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void measure() {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String roomId = client.createRoom(bob, "{\"preset\": \"public_chat\", \"name\": \"Room " + i + "\"}");
            client.join(alice, roomId);
            client.send(bob, roomId, "hello " + i);
            rooms.add(roomId);
        }
        String since = client.sync(alice).path("next_batch").asText();
        since = client.sync(alice, since, "").path("next_batch").asText();
        client.send(bob, rooms.get(3), "warm");
        since = client.sync(alice, since, "").path("next_batch").asText();

        List<String> send = queries.during(() -> client.send(bob, rooms.get(3), "one new message"));
        System.out.println("SEND " + send.size());
        send.forEach(q -> System.out.println("  SEND> " + q));
        String from = since;
        QueryCounter.Counted<JsonNode> sync = queries.counting(() -> client.sync(alice, from, ""));
        System.out.println("SYNC " + sync.queries().size());
        sync.queries().forEach(q -> System.out.println("  SYNC> " + q));
        assertEquals(List.of("one new message"), SyncClient.bodies(sync.result(), rooms.get(3)));
        List<String> empty = queries.during(() -> client.sync(alice, sync.result().path("next_batch").asText(), ""));
        System.out.println("EMPTY " + empty.size());
        empty.forEach(q -> System.out.println("  EMPTY> " + q));
    }
}
