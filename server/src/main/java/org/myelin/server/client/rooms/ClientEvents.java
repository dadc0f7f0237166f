package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.ClientTransactionRepository;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.state.StateSnapshotRepository;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private final ClientTransactionRepository transactions;
    private final Redactions redactions;
    private final RedactionIndex redacted;
    private final BundledAggregations aggregations;
    private final Clock clock;
    /**
     * The event each state event replaced ({@link #NOTHING_REPLACED} for none), by event id: a fact
     * of the room's graph that never changes once the event is stored.
     */
    private final Cache<String, String> replacedIdOf = Caffeine.newBuilder().recordStats().maximumSize(REPLACED_REMEMBERED).build();

    /** State events whose replaced event is remembered (about 200 bytes each). */
    static final int REPLACED_REMEMBERED = 50_000;
    private static final String NOTHING_REPLACED = "";

    ClientEvents(EventCache events, TimelineRepository timeline, StateSnapshotRepository snapshots,
                 ClientTransactionRepository transactions, RedactionIndex redacted,
                 BundledAggregations aggregations, Clock clock) {
        this.events = events;
        this.timeline = timeline;
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

    /**
     * The state event each state event replaced: its entry in the state before it. Which event that
     * is never changes, so it is remembered by event id; those not remembered are looked up
     * together, in one statement.
     */
    private Map<String, Pdu> replacedStateOf(Collection<Pdu> pdus) {
        Map<String, Pdu> replaced = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        Map<String, String> replacedIds = new HashMap<>();
        for (Pdu pdu : pdus) {
            if (pdu.isState()) {
                String known = replacedIdOf.getIfPresent(pdu.eventId());
                if (known == null) {
                    unknown.add(pdu.eventId());
                } else if (!known.isEmpty()) {
                    replacedIds.put(pdu.eventId(), known);
                }
            }
        }
        if (!unknown.isEmpty()) {
            // Only stored events are remembered: one not yet committed has no state before it yet.
            timeline.replacedState(unknown).forEach((id, previous) -> {
                replacedIdOf.put(id, previous.orElse(NOTHING_REPLACED));
                previous.ifPresent(p -> replacedIds.put(id, p));
            });
        }
        if (replacedIds.isEmpty()) {
            return replaced;
        }
        Map<String, StoredEvent> previous = events.storedAll(replacedIds.values());
        replacedIds.forEach((eventId, previousId) -> {
            StoredEvent e = previous.get(previousId);
            if (e != null) {
                replaced.put(eventId, e.pdu());
            }
        });
        return replaced;
    }

    /**
     * About to format events of many rooms (an initial /sync): reads which events of {@code roomIds}
     * are redacted or have bundled children, and what the state events {@code stateEventIds}
     * replaced, in a statement each for all of them rather than a few per room.
     */
    public void prepare(Collection<String> roomIds, Collection<String> stateEventIds) {
        redacted.prepare(roomIds);
        aggregations.prepare(roomIds);
        List<String> unknown = stateEventIds.stream().filter(id -> replacedIdOf.getIfPresent(id) == null).toList();
        if (!unknown.isEmpty()) {
            timeline.replacedState(unknown).forEach((id, previous) -> replacedIdOf.put(id, previous.orElse(NOTHING_REPLACED)));
        }
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

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("replaced_event_ids", replacedIdOf);
    }
}
