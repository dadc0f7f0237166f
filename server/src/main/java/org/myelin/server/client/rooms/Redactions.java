package org.myelin.server.client.rooms;

import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.state.StateSnapshotRepository;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which redactions apply to which events (room versions, "Handling redactions"): a redaction
 * that passed auth is applied to its target only if the redaction's sender is of the same server
 * as the target's sender, or has at least the room's {@code redact} power level in the state
 * before the redaction. The first valid redaction of an event is the one clients see.
 */
final class Redactions {

    private final EventCache events;
    private final TimelineRepository timeline;
    private final StateSnapshotRepository snapshots;

    Redactions(EventCache events, TimelineRepository timeline, StateSnapshotRepository snapshots) {
        this.events = events;
        this.timeline = timeline;
        this.snapshots = snapshots;
    }

    /** The redaction applied to each of {@code targets} (all of one room) that has one, by target id. */
    Map<String, Pdu> applying(String roomId, Collection<Pdu> targets) {
        Map<String, Pdu> byId = new HashMap<>();
        for (Pdu target : targets) {
            byId.put(target.eventId(), target);
        }
        Map<String, Pdu> applied = new HashMap<>();
        List<StoredEvent> candidates = timeline.redactionsOf(roomId, byId.keySet());
        if (candidates.isEmpty()) {
            return applied;
        }
        Map<String, Long> stateBefore = timeline.stateBefore(candidates.stream().map(StoredEvent::eventId).toList());
        for (StoredEvent candidate : candidates) {
            Pdu redaction = candidate.pdu();
            Pdu target = byId.get(redaction.redacts());
            if (target == null || applied.containsKey(target.eventId())) {
                continue;
            }
            if (isValid(redaction, target, stateBefore.get(redaction.eventId()))) {
                applied.put(target.eventId(), redaction);
            }
        }
        return applied;
    }

    private boolean isValid(Pdu redaction, Pdu target, Long snapshotBefore) {
        if (!redaction.roomId().equals(target.roomId())) {
            return false;
        }
        if (redaction.senderDomain().equals(target.senderDomain())) {
            return true;
        }
        if (snapshotBefore == null) {
            return false;
        }
        Map<StateKey, String> state = snapshots.load(snapshotBefore);
        PowerLevels levels = PowerLevels.of(redaction.roomVersion().auth(), get(state, StateKey.powerLevels()),
                get(state, StateKey.create()));
        return levels.userLevel(redaction.sender()) >= levels.redact();
    }

    private Pdu get(Map<StateKey, String> state, StateKey key) {
        String id = state.get(key);
        return id == null ? null : events.get(id);
    }
}
