package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.client.sync.Ephemerals;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.RoomScoped;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomEvents;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.RoomResult;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.receipts.ReceiptRepository.Receipt;
import org.myelin.storage.sync.SlidingSyncQueries;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code receipts} extension (MSC3960), as Synapse answers it: for a covered room sent afresh
 * (or whose window grew), the receipts on its window's events and the user's own; for one the
 * connection has, the receipts since the previous response, or since it last had the room's when
 * it was out of the windows meanwhile. Receipts of rooms out of the windows are remembered as
 * missed. One {@code m.receipt} event per room, private receipts only the user's own.
 */
final class ReceiptsExtension {

    private final Ephemerals ephemerals;
    private final SlidingSyncQueries queries;

    ReceiptsExtension(Ephemerals ephemerals, SlidingSyncQueries queries) {
        this.ephemerals = ephemerals;
        this.queries = queries;
    }

    RoomEvents answer(SlidingExtensions.Request r, RoomScoped scope, ConnectionState previous,
                      ConnectionState.Builder state) {
        long upTo = r.to().position(StreamId.RECEIPTS);
        long after = r.from() == null ? 0 : r.from().position(StreamId.RECEIPTS);
        Set<String> covered = r.rooms(scope);
        List<String> live = new ArrayList<>();
        Map<String, Long> behind = new HashMap<>();
        Map<String, List<String>> fresh = new HashMap<>();
        for (String roomId : covered) {
            RoomResult room = r.rooms().get(roomId);
            boolean again = room != null && (Boolean.TRUE.equals(room.initial())
                    || Boolean.TRUE.equals(room.expandedTimeline()));
            Sent sent = r.from() == null || again ? null : previous.receipts().get(roomId);
            if (sent instanceof Sent.Live) {
                live.add(roomId);
            } else if (sent instanceof Sent.Behind b) {
                behind.put(roomId, b.after());
            } else {
                fresh.put(roomId, eventIds(room));
            }
        }
        List<Receipt> receipts = new ArrayList<>(ephemerals.receiptsChanged(live, after, upTo));
        behind.forEach((roomId, since) -> receipts.addAll(ephemerals.receiptsChanged(List.of(roomId), since, upTo)));
        receipts.addAll(queries.receiptsForWindows(fresh, r.userId(), upTo));
        state.sent(state.receipts(), behind.keySet());
        state.sent(state.receipts(), fresh.keySet());
        if (r.from() != null) {
            Set<String> outOfView = new HashSet<>();
            previous.receipts().forEach((roomId, sent) -> {
                if (sent instanceof Sent.Live && !covered.contains(roomId)) {
                    outOfView.add(roomId);
                }
            });
            Set<String> missed = new HashSet<>();
            ephemerals.receiptsChanged(new ArrayList<>(outOfView), after, upTo).forEach(x -> missed.add(x.roomId()));
            state.missed(state.receipts(), missed, after);
        }
        return new RoomEvents(Ephemerals.receiptEvents(receipts, r.userId()));
    }

    private static List<String> eventIds(RoomResult room) {
        List<String> ids = new ArrayList<>();
        if (room != null && room.timeline() != null) {
            for (JsonNode event : room.timeline()) {
                ids.add(event.path("event_id").asText());
            }
        }
        return ids;
    }
}
