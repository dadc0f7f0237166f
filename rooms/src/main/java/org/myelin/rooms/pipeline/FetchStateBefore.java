package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.ports.RemoteEvents;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a received event lacks when the states after its prev events are not all known here,
 * fetched from the server that sent it (server-server API, "Retrieving missing events" and
 * "Retrieving events" {@code /state_ids}) before the room's lock is taken. Nothing that waits on
 * the network runs under that lock: a slow or hanging server holds up its own event, not the
 * room's other senders.
 *
 * <p>First the events between the room's head and the event ({@code /get_missing_events}), each
 * through the pipeline as a received event that fetches no missing events of its own (as Synapse
 * handles pulled events: one round, not a walk of the whole gap); if the state before the event
 * is still unknown, the state at it with its auth chain, checked and stored as outliers. The
 * caller then takes the room's lock, reads the head again, and uses the fetched state only if the
 * state before the event is still unknown.
 */
final class FetchStateBefore {

    /** How many missing events are asked for at once. */
    static final int MISSING_EVENTS_LIMIT = 20;

    /** The pipeline's steps that fetched events take. */
    interface Steps {
        /** A missing event, through the pipeline without fetching missing events; once committed. */
        Outcome pulled(Pdu pdu, String origin);

        /** An event of a state or an auth chain, checked and stored as an outlier; once committed. */
        Outcome outlier(Pdu pdu, String origin);
    }

    private final RemoteEvents remote;
    private final EventCache events;
    private final RoomHeads heads;
    private final ResolveState resolve;
    private final Steps steps;

    FetchStateBefore(RemoteEvents remote, EventCache events, RoomHeads heads, ResolveState resolve, Steps steps) {
        this.remote = remote;
        this.events = events;
        this.heads = heads;
        this.resolve = resolve;
        this.steps = steps;
    }

    /**
     * Fetches from {@code origin} what {@code pdu} lacks, without any room's lock: the state before
     * it as {@code origin} gives it, or empty when the state is known here after all (or could not
     * be fetched).
     *
     * @param missingEvents whether to ask for the events between the room's head and {@code pdu}
     *                      first (live events; history older than ours has none that belong in the
     *                      live timeline)
     */
    Optional<Map<StateKey, String>> fetch(Pdu pdu, String origin, boolean missingEvents) {
        if (resolve.knowsStateBefore(pdu)) {
            return Optional.empty();
        }
        if (missingEvents) {
            Optional<RoomHead> head = heads.get(pdu.roomId());
            if (head.isPresent()) {
                pullMissingEvents(pdu, origin, head.get());
                if (resolve.knowsStateBefore(pdu)) {
                    return Optional.empty();
                }
            }
        }
        return remote.stateBefore(origin, pdu.roomVersion(), pdu.roomId(), pdu.eventId()).map(state -> {
            for (Pdu p : state.authChain()) {
                steps.outlier(p, origin);
            }
            Map<StateKey, String> entries = new HashMap<>();
            for (Pdu p : state.state()) {
                if (steps.outlier(p, origin) instanceof Outcome.Accepted && p.isState()) {
                    entries.put(new StateKey(p.type(), p.stateKey()), p.eventId());
                }
            }
            return entries;
        });
    }

    private void pullMissingEvents(Pdu pdu, String origin, RoomHead head) {
        List<Pdu> missing = remote.missingEvents(origin, pdu.roomVersion(), pdu.roomId(), head.forwardExtremities(),
                List.of(pdu.eventId()), MISSING_EVENTS_LIMIT);
        for (Pdu m : missing) {
            if (!m.eventId().equals(pdu.eventId()) && events.stored(m.eventId()) == null) {
                steps.pulled(m, origin);
            }
        }
    }
}
