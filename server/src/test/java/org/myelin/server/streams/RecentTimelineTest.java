package org.myelin.server.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.state.StateSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recent timeline's bound, and what a room forgotten to keep it still knows when it comes back. */
class RecentTimelineTest {

    private static final SigningKey KEY = SigningKey.fromSeed("1", new byte[32]);
    private static final Map<StateKey, String> STATE = Map.of(StateKey.create(), "$create");

    private final StreamChangeCache changes = new StreamChangeCache(0, 1_000);
    private final RecentTimeline recent = new RecentTimeline(changes, 20);
    private long position;

    private void message(String roomId, StateSnapshot after) {
        position++;
        Pdu pdu = EventBuilder.in(RoomVersions.V10, roomId).type("m.room.message").sender("@alice:example.org")
                .content(JsonNodeFactory.instance.objectNode().put("body", "m" + position))
                .prevEvents(List.of("$p:example.org")).authEvents(List.of("$a:example.org")).depth(position)
                .originServerTs(position).build("example.org", KEY);
        recent.committed(new StoredEvent(position, pdu, position, false, false, null), after, STATE);
        changes.record(roomId, position);
    }

    /** Rooms of two events each, in a bound of 20 events: most of them are forgotten. */
    private List<String> roomsPastTheBound(int firstSnapshot) {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String roomId = "!room" + i + ":example.org";
            StateSnapshot state = StateSnapshot.existing(roomId, firstSnapshot + i, 0);
            message(roomId, state);
            message(roomId, state);
            recent.room(roomId);
            rooms.add(roomId);
        }
        return rooms;
    }

    /** A room forgotten to keep the bound; the others are then forgotten on purpose, to make room for it. */
    private String aForgottenRoom(List<String> rooms) {
        String gone = rooms.stream().filter(r -> recent.room(r).isEmpty()).findFirst()
                .orElseThrow(() -> new AssertionError("80 events in a bound of 20 forget some rooms"));
        rooms.stream().filter(r -> !r.equals(gone)).forEach(recent::forget);
        return gone;
    }

    @Test
    void aRoomForgottenAndBackWithTheSameStateKnowsSinceWhenItIsUnchanged() {
        long before = position;
        List<String> rooms = roomsPastTheBound(100);
        String gone = aForgottenRoom(rooms);
        int index = rooms.indexOf(gone);
        long unchangedSince = before + 2L * index + 1; // its first event: the state has not changed since

        message(gone, StateSnapshot.existing(gone, 100 + index, 0));
        RecentTimeline.Room back = recent.room(gone).orElseThrow();
        assertEquals(STATE, back.stateUnchangedSince(unchangedSince).orElseThrow(),
                "the same snapshot as when it was forgotten: the state has not changed since");
        assertEquals(unchangedSince, back.stateChangedAt());
        assertEquals(1, back.events().size());
    }

    @Test
    void aRoomBackWithAnotherStateChangedThen() {
        List<String> rooms = roomsPastTheBound(100);
        String gone = aForgottenRoom(rooms);
        long before = position;
        message(gone, StateSnapshot.existing(gone, 1_000, 0));
        RecentTimeline.Room back = recent.room(gone).orElseThrow();
        assertTrue(back.stateUnchangedSince(before).isEmpty());
        assertEquals(position, back.stateChangedAt());
    }

    @Test
    void aRoomForgottenOnPurposeComesBackWithoutItsState() {
        StateSnapshot quiet = StateSnapshot.existing("!quiet:example.org", 7, 0);
        message("!quiet:example.org", quiet);
        recent.forget("!quiet:example.org");
        message("!quiet:example.org", quiet);
        assertEquals(position, recent.room("!quiet:example.org").orElseThrow().stateChangedAt(),
                "a room forgotten on purpose (its state rewritten) is not trusted to be unchanged");
    }
}
