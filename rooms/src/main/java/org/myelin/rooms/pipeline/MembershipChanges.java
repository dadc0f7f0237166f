package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.state.StateMaps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The memberships a new current state changes: what the persister writes to {@code room_memberships}. */
final class MembershipChanges {

    private MembershipChanges() {
    }

    /**
     * The member entries that differ between two states, with the membership the new one gives:
     * from the step that made {@code now} from {@code was} when there is one (a single event's
     * change), else from the keys where the two states differ (found in proportion to their
     * differences, whatever the room's size: {@link StateMaps#forEachDifference}).
     */
    static List<PersistRequest.MembershipChange> between(EventStates.State was, EventStates.State now,
                                                         EventCache events) {
        Map<StateKey, String> changed = now.snapshot().changesSince(was.snapshot()).orElse(null);
        List<PersistRequest.MembershipChange> changes = new ArrayList<>();
        if (changed != null) {
            for (Map.Entry<StateKey, String> entry : changed.entrySet()) {
                if (entry.getValue() != null) {
                    add(entry.getKey(), entry.getValue(), was.entries(), events, changes);
                }
            }
            return changes;
        }
        StateMaps.forEachDifference(was.entries(), now.entries(), key -> {
            String id = now.entries().get(key);
            if (id != null) {
                add(key, id, was.entries(), events, changes);
            }
        });
        return changes;
    }

    private static void add(StateKey key, String eventId, Map<StateKey, String> was, EventCache events,
                            List<PersistRequest.MembershipChange> changes) {
        if (key.type().equals(StateKey.MEMBER) && !eventId.equals(was.get(key))) {
            Pdu member = events.get(eventId);
            if (member != null && member.membership() != null) {
                changes.add(new PersistRequest.MembershipChange(key.stateKey(), member.membership(), member.eventId()));
            }
        }
    }
}
