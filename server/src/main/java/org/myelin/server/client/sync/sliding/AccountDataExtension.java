package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.RoomScoped;
import org.myelin.server.http.Json;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.accountdata.AccountDataRepository.Entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code account_data} extension (MSC3959), as Synapse answers it: global account data, all
 * of it on a fresh connection (with what the server provides, the push rules) and what changed
 * since the previous response afterwards; room account data of the covered rooms, all of it the
 * first time a room is covered, afterwards what changed since the connection last had the room's.
 * Changes in rooms out of the windows are remembered as missed, and sent once the room is back.
 */
final class AccountDataExtension {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final AccountDataRepository repository;
    private final AccountData accountData;
    private final StreamChangeCache changes;

    AccountDataExtension(AccountDataRepository repository, AccountData accountData, StreamChangeCache changes) {
        this.repository = repository;
        this.accountData = accountData;
        this.changes = changes;
    }

    SlidingSyncResponse.AccountData answer(SlidingExtensions.Request r, RoomScoped scope, ConnectionState previous,
                                           ConnectionState.Builder state) {
        long upTo = r.to().position(StreamId.ACCOUNT_DATA);
        long after = r.from() == null ? 0 : r.from().position(StreamId.ACCOUNT_DATA);
        Set<String> covered = r.rooms(scope);
        Set<String> live = new HashSet<>();
        Map<String, Long> behind = new HashMap<>();
        Set<String> fresh = new HashSet<>();
        for (String roomId : covered) {
            Sent sent = r.from() == null ? null : previous.accountData().get(roomId);
            if (sent instanceof Sent.Live) {
                live.add(roomId);
            } else if (sent instanceof Sent.Behind b) {
                behind.put(roomId, b.after());
            } else {
                fresh.add(roomId);
            }
        }
        // One read covers all: from the start when something is sent in full, else from the
        // previous response (or the earliest room behind).
        long readAfter = r.from() == null || !fresh.isEmpty() ? 0
                : behind.values().stream().mapToLong(Long::longValue).min().orElse(after);
        readAfter = Math.min(readAfter, after);
        List<Entry> entries = upTo > readAfter && (readAfter == 0 || changes.mayHaveChanged(r.userId(), readAfter))
                ? repository.changed(r.userId(), readAfter, upTo) : List.of();

        Map<String, ObjectNode> global = new LinkedHashMap<>();
        Map<String, Map<String, ObjectNode>> rooms = new LinkedHashMap<>();
        Set<String> changedRooms = new HashSet<>();
        for (Entry e : entries) {
            if (e.roomId() == null) {
                if (e.position() > after) {
                    global.put(e.type(), event(e.type(), read(e.content())));
                }
                continue;
            }
            if (e.position() > after) {
                changedRooms.add(e.roomId());
            }
            boolean wanted = fresh.contains(e.roomId())
                    || (live.contains(e.roomId()) && e.position() > after)
                    || (behind.containsKey(e.roomId()) && e.position() > behind.get(e.roomId()));
            if (wanted) {
                rooms.computeIfAbsent(e.roomId(), x -> new LinkedHashMap<>()).put(e.type(), event(e.type(),
                        read(e.content())));
            }
        }
        if (r.from() == null) {
            accountData.provided(r.userId()).forEach((type, content) -> global.putIfAbsent(type, event(type, content)));
        }
        state.sent(state.accountData(), behind.keySet());
        state.sent(state.accountData(), fresh);
        if (r.from() != null) {
            changedRooms.removeAll(covered);
            state.missed(state.accountData(), changedRooms, after);
        }
        Map<String, List<ObjectNode>> byRoom = new LinkedHashMap<>();
        rooms.forEach((roomId, events) -> byRoom.put(roomId, new ArrayList<>(events.values())));
        return new SlidingSyncResponse.AccountData(new ArrayList<>(global.values()), byRoom);
    }

    private static ObjectNode event(String type, ObjectNode content) {
        ObjectNode event = JSON.objectNode().put("type", type);
        event.set("content", content);
        return event;
    }

    private static ObjectNode read(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored account data is not an object", e);
        }
    }
}
