package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.PersistRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The memberships a new current state changes: what the persister writes to {@code room_memberships}. */
final class MembershipChanges {

    private MembershipChanges() {
    }

    /** The member entries that differ between two states, with the membership the new one gives. */
    static List<PersistRequest.MembershipChange> between(Map<StateKey, String> was, Map<StateKey, String> now,
                                                         EventCache events) {
        List<PersistRequest.MembershipChange> changes = new ArrayList<>();
        for (Map.Entry<StateKey, String> entry : now.entrySet()) {
            if (entry.getKey().type().equals(StateKey.MEMBER) && !entry.getValue().equals(was.get(entry.getKey()))) {
                Pdu member = events.get(entry.getValue());
                if (member != null && member.membership() != null) {
                    changes.add(new PersistRequest.MembershipChange(entry.getKey().stateKey(), member.membership(),
                            member.eventId()));
                }
            }
        }
        return changes;
    }
}
