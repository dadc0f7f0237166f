package org.myelin.server.client.rooms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * What a join writes besides the event, counted in SQL statements (deterministic, unlike
 * timings): whether the room is public to the user directory is judged again only when its join
 * rules or history visibility may have changed, which a join does not do.
 */
class JoinStatementsIT {

    static final String V3 = "/_matrix/client/v3";
    static final QueryCounter queries = new QueryCounter();
    static TestHomeserver hs;
    static TestUser owner;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().instrument(queries).start();
        owner = hs.registerUser("owner");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String publicRoom() {
        return hs.expect(200, owner, "POST", V3 + "/createRoom", "{\"preset\": \"public_chat\"}").path("room_id").asText();
    }

    private static long judgingPublicity(List<String> statements) {
        return statements.stream().filter(s -> s.contains("state_is_public")).count();
    }

    @Test
    void aJoinDoesNotJudgeThePublicityOfTheRoomAgain() {
        String room = publicRoom();
        TestUser joiner = hs.registerUser("joiner");
        List<String> made = queries.during(() -> hs.expect(200, joiner, "POST", V3 + "/join/" + enc(room), "{}"));
        assertEquals(0, judgingPublicity(made), String.join("\n", made));
    }

    @Test
    void aChangeOfJoinRulesOrHistoryVisibilityJudgesItAgain() {
        String state = V3 + "/rooms/" + enc(publicRoom()) + "/state/";
        assertEquals(1, judgingPublicity(queries.during(() -> hs.expect(200, owner, "PUT",
                state + "m.room.history_visibility/", "{\"history_visibility\": \"joined\"}"))));
        assertEquals(1, judgingPublicity(queries.during(() -> hs.expect(200, owner, "PUT",
                state + "m.room.join_rules/", "{\"join_rule\": \"knock\"}"))));
        assertEquals(0, judgingPublicity(queries.during(() -> hs.expect(200, owner, "PUT",
                state + "m.room.topic/", "{\"topic\": \"neither\"}"))));
    }
}
