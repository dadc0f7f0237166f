package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.sync.filter.SyncFilter;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.SyncToken;

import java.util.List;
import java.util.Map;

/**
 * One computation of a /sync response: who asks, with which filter, from which token ({@code since},
 * null for an initial sync) up to which ({@code now}), whether rooms carry {@code state_after}
 * instead of {@code state}, and the room account data that changed in between, by room.
 */
record SyncPass(String userId, String deviceId, SyncFilter filter, boolean fullState, boolean useStateAfter,
                SyncToken since, SyncToken now, Map<String, List<ObjectNode>> roomAccountData) {

    boolean initial() {
        return since == null;
    }

    /** The position of {@code stream} the pass starts after (0 for an initial sync). */
    long after(StreamId stream) {
        return since == null ? 0 : since.position(stream);
    }

    /** A room's state section under the name the request asked for; the other one is null (left out). */
    record StateSection(SyncResponse.EventBatch state, SyncResponse.EventBatch stateAfter) {
    }

    StateSection stateSection(SyncResponse.EventBatch section) {
        return useStateAfter ? new StateSection(null, section) : new StateSection(section, null);
    }

    List<ObjectNode> accountDataOf(String roomId) {
        return roomAccountData.getOrDefault(roomId, List.of());
    }
}
