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

    @Test
    void aRoomForgottenAndBackWithTheSameStateKnowsSinceWhenItIsUnchanged() {
        StateSnapshot quiet = StateSnapshot.existing("!quiet:example.org", 7, 0);
        message("!quiet:example.org", quiet);
        message("!quiet:example.org", quiet);
        long unchangedSince = position;
        assertTrue(recent.room("!quiet:example.org").orElseThrow().stateUnchangedSince(unchangedSince).isPresent());

        // Busier rooms, read after it, push it out.
        for (int i = 0; i < 30; i++) {
            String busy = "!busy" + i + ":example.org";
            message(busy, StateSnapshot.existing(busy, 100 + i, 0));
            recent.room(busy);
        }
        assertTrue(recent.room("!quiet:example.org").isEmpty(), "forgotten to stay within 20 events");

        message("!quiet:example.org", quiet);
        RecentTimeline.Room back = recent.room("!quiet:example.org").orElseThrow();
        assertEquals(STATE, back.stateUnchangedSince(unchangedSince).orElseThrow(),
                "the same snapshot as when it was forgotten: the state has not changed since");
        assertEquals(1, back.events().size());
    }

    @Test
    void aRoomBackWithAnotherStateChangedThen() {
        message("!room:example.org", StateSnapshot.existing("!room:example.org", 7, 0));
        for (int i = 0; i < 30; i++) {
            String busy = "!busy" + i + ":example.org";
            message(busy, StateSnapshot.existing(busy, 100 + i, 0));
            recent.room(busy);
        }
        long before = position;
        message("!room:example.org", StateSnapshot.existing("!room:example.org", 8, 0));
        RecentTimeline.Room back = recent.room("!room:example.org").orElseThrow();
        assertTrue(back.stateUnchangedSince(before).isEmpty());
        assertEquals(position, back.stateChangedAt());
    }
}
