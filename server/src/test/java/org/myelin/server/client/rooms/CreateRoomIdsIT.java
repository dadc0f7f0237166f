package org.myelin.server.client.rooms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@code POST /createRoom} makes a new room every time. In room version 12 the room id is the
 * create event's hash, and bots, bridges and load tools create rooms with one body, in parallel.
 */
class CreateRoomIdsIT {

    private static final String BODY = "{\"room_version\":\"12\",\"preset\":\"private_chat\"}";

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static int joinedMembers(String roomId) {
        return rooms.ok(alice, "GET", Rooms.room(roomId) + "/joined_members", null).path("joined").size();
    }

    @Test
    void concurrentCreatesByOneUserAllSucceedWithDistinctRoomIds() throws Exception {
        int creates = 24;
        List<HttpResponse<String>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < creates; i++) {
                sent.add(pool.submit(() -> rooms.call(alice, "POST", Rooms.V3 + "/createRoom", BODY)));
            }
            for (Future<HttpResponse<String>> f : sent) {
                answers.add(f.get());
            }
        }
        Set<String> ids = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            assertEquals(200, answer.statusCode(), answer.body());
            ids.add(TestHomeserver.json(answer).path("room_id").asText());
        }
        assertEquals(creates, ids.size(), "one room per request: " + ids);
        for (String id : ids) {
            assertEquals(1, joinedMembers(id), id);
        }
    }

    @Test
    void aCreateRightAfterLeavingARoomMakesANewRoom() {
        for (int i = 0; i < 10; i++) {
            String left = rooms.create(alice, BODY);
            rooms.leave(alice, left);
            String next = rooms.create(alice, BODY);
            assertNotEquals(left, next);
            assertEquals(1, joinedMembers(next));
        }
    }
}
