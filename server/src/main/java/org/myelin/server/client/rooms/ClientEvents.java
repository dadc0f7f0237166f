package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.ClientTransactionRepository;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.state.StateSnapshotRepository;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Events as a client sees them ({@link ClientEventFormat}), with what the store knows beside each
 * event looked up in batches: the redaction applied to it ({@link Redactions}), the state event
 * it replaced, its transaction id for the device that sent it, and the aggregations of its
 * children ({@link BundledAggregations}). The one place that turns
 * stored events into client events, for every endpoint that returns events ({@code /sync}
 * included).
 */
public final class ClientEvents {

    private final EventCache events;
    private final TimelineRepository timeline;
    private final StateSnapshotRepository snapshots;
    private final ClientTransactionRepository transactions;
    private final Redactions redactions;
    private final RedactionIndex redacted;
    private final BundledAggregations aggregations;
    private final Clock clock;
    /**
     * The state entry each state event replaced (empty: none), by event id: the state before an
     * event never changes, and reading it loads the room's whole state, once per state event of
     * every timeline and room state a client is sent.
     */
    private final Cache<String, Optional<String>> replacedStates = Caffeine.newBuilder()
            .maximumSize(MAX_REPLACED_STATES).build();

    private static final int MAX_REPLACED_STATES = 200_000;

    ClientEvents(EventCache events, TimelineRepository timeline, StateSnapshotRepository snapshots,
                 ClientTransactionRepository transactions, RedactionIndex redacted,
                 BundledAggregations aggregations, Clock clock) {
        this.events = events;
        this.timeline = timeline;
        this.snapshots = snapshots;
        this.transactions = transactions;
        this.redactions = new Redactions(events, timeline, snapshots);
        this.redacted = redacted;
        this.aggregations = aggregations;
        this.clock = clock;
    }

    /**
     * The events in client format, in the given order, for the device {@code deviceId} of
     * {@code userId} (a null device gets no transaction ids). Visibility is the caller's concern
     * ({@link EventVisibility}).
     */
    public List<ObjectNode> format(Collection<Pdu> pdus, String userId, String deviceId) {
        Map<String, Pdu> redactedBy = redactionsOf(pdus);
        Map<String, Pdu> replaced = replacedStateOf(pdus);
        Map<String, String> txnIds = transactionIdsOf(pdus, userId, deviceId);
        long now = clock.millis();
        Map<String, ObjectNode> bundles = aggregations.of(pdus, userId, redactedBy.keySet(),
                latest -> format(latest, userId, deviceId),
                edit -> ClientEventFormat.format(edit, ClientEventFormat.Extras.NONE, now));
        Map<String, ObjectNode> formattedRedactions = new HashMap<>();
        List<ObjectNode> formatted = new ArrayList<>(pdus.size());
        for (Pdu pdu : pdus) {
            Pdu redaction = redactedBy.get(pdu.eventId());
            ObjectNode because = redaction == null ? null : formattedRedactions.computeIfAbsent(redaction.eventId(),
                    id -> ClientEventFormat.format(redaction, ClientEventFormat.Extras.NONE, now));
            formatted.add(ClientEventFormat.format(pdu, new ClientEventFormat.Extras(because,
                    replaced.get(pdu.eventId()), txnIds.get(pdu.eventId()), bundles.get(pdu.eventId())), now));
        }
        return formatted;
    }

    /** One event in client format for {@code userId}'s device {@code deviceId}. */
    public ObjectNode format(Pdu pdu, String userId, String deviceId) {
        return format(List.of(pdu), userId, deviceId).getFirst();
    }

    /** Whether a redaction applies to {@code pdu}. */
    boolean isRedacted(Pdu pdu) {
        return redactionsOf(List.of(pdu)).containsKey(pdu.eventId());
    }

    private Map<String, Pdu> redactionsOf(Collection<Pdu> pdus) {
        Map<String, List<Pdu>> byRoom = new LinkedHashMap<>();
        for (Pdu pdu : pdus) {
            byRoom.computeIfAbsent(pdu.roomId(), r -> new ArrayList<>()).add(pdu);
        }
        Map<String, Pdu> applied = new HashMap<>();
        byRoom.forEach((roomId, inRoom) -> {
            if (redacted.anyNamed(roomId, inRoom.stream().map(Pdu::eventId).toList())) {
                applied.putAll(redactions.applying(roomId, inRoom));
            }
        });
        return applied;
    }

    /** The state event each state event replaced: its entry in the state before it. */
    private Map<String, Pdu> replacedStateOf(Collection<Pdu> pdus) {
        Map<String, Pdu> replaced = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Pdu pdu : pdus) {
            if (!pdu.isState()) {
                continue;
            }
            Optional<String> known = replacedStates.getIfPresent(pdu.eventId());
            if (known == null) {
                unknown.add(pdu.eventId());
            } else {
                known.map(events::get).ifPresent(previous -> replaced.put(pdu.eventId(), previous));
            }
        }
        if (unknown.isEmpty()) {
            return replaced;
        }
        Map<String, Long> before = timeline.stateBefore(unknown);
        for (Pdu pdu : pdus) {
            Long snapshot = before.get(pdu.eventId());
            if (!pdu.isState() || snapshot == null) {
                continue;
            }
            String previousId = snapshots.load(snapshot).get(new StateKey(pdu.type(), pdu.stateKey()));
            replacedStates.put(pdu.eventId(), Optional.ofNullable(previousId));
            Pdu previous = previousId == null ? null : events.get(previousId);
            if (previous != null) {
                replaced.put(pdu.eventId(), previous);
            }
        }
        return replaced;
    }

    private Map<String, String> transactionIdsOf(Collection<Pdu> pdus, String userId, String deviceId) {
        Map<String, String> txnIds = new HashMap<>();
        if (deviceId == null) {
            return txnIds;
        }
        List<String> own = pdus.stream().filter(p -> p.sender().equals(userId)).map(Pdu::eventId).toList();
        transactions.originsOf(own).forEach((eventId, origin) -> {
            if (origin.userId().equals(userId) && origin.deviceId().equals(deviceId)) {
                txnIds.put(eventId, origin.txnId());
            }
        });
        return txnIds;
    }
}
