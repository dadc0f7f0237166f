package org.myelin.rooms.pipeline;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/**
 * Every local create event makes a new room. In room version 12 the room id is the create event's
 * hash (rooms/v12, "Room IDs"), so two create events of one user with the same content in the
 * same millisecond would name the same room; the clock here stands still to make that certain.
 */
class RoomIdsIT {

    static final String ALICE = "@alice:hs.test";

    static TestPipeline hs;

    @BeforeAll
    static void start() {
        hs = new TestPipeline("hs.test");
        hs.clock = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
        hs.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String create() {
        Outcome created = hs.submit(Input.LocalEvent.state(null, ALICE, StateKey.CREATE, "",
                content("room_version", "12")));
        return accepted(created).roomId();
    }

    @Test
    void concurrentCreatesByOneUserInOneMillisecondMakeDistinctRooms() throws Exception {
        int rooms = 16;
        Set<String> ids = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < rooms; i++) {
                created.add(pool.submit(RoomIdsIT::create));
            }
            for (Future<String> f : created) {
                ids.add(f.get());
            }
        }
        assertEquals(rooms, ids.size(), "every create made its own room: " + ids);
        for (String id : ids) {
            assertEquals(1, hs.eventRepository.timeline(id, 0, Long.MAX_VALUE, 10, false).size(),
                    "a room holds its own create event only");
        }
    }

    @Test
    void aUserWhoLeftARoomGetsANewRoomFromTheNextCreate() {
        String first = create();
        accepted(hs.submit(Input.LocalEvent.state(first, ALICE, StateKey.MEMBER, ALICE, content("membership", "join"))));
        accepted(hs.submit(Input.LocalEvent.state(first, ALICE, StateKey.MEMBER, ALICE, content("membership", "leave"))));
        String second = create();
        assertNotEquals(first, second);
    }

    @Test
    void aCreateAfterARestartInTheSameMillisecondMakesANewRoom() {
        String before = create();
        hs.start();
        String after = create();
        assertNotEquals(before, after, "the room recorded before the restart is not handed out again");
        assertEquals(1, hs.eventRepository.timeline(after, 0, Long.MAX_VALUE, 10, false).size());
    }
}
