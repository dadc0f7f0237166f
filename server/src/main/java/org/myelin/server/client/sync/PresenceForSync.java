package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.presence.PresenceState;
import org.myelin.server.client.presence.PresenceUpdate;
import org.myelin.server.client.sync.filter.EventFilter;
import org.myelin.server.http.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * /sync's view of {@link PresenceService}: {@code set_presence} for the length of the request, and
 * the presence changes of the users the syncing user shares a joined room with (and their own),
 * as {@code m.presence} events ("Presence": published to all users who share a room).
 */
public final class PresenceForSync implements SyncPresence {

    private final PresenceService presence;
    private final SharedRooms shared;

    PresenceForSync(PresenceService presence, SharedRooms shared) {
        this.presence = presence;
        this.shared = shared;
    }

    @Override
    public Syncing syncing(String userId, String setPresence) {
        PresenceState state = setPresence == null ? PresenceState.ONLINE
                : PresenceState.fromWire(setPresence).orElse(PresenceState.ONLINE);
        PresenceService.Syncing syncing = presence.syncing(userId, state);
        return syncing::close;
    }

    @Override
    public List<ObjectNode> changes(String userId, long after, long upTo, EventFilter filter) {
        if (upTo <= after || !filter.allows("m.presence", null)) {
            return List.of();
        }
        Set<String> visible = shared.usersSharingARoomWith(userId);
        List<ObjectNode> events = new ArrayList<>();
        for (PresenceUpdate update : presence.between(after, upTo, visible)) {
            if (filter.allows("m.presence", update.userId())) {
                events.add(Json.MAPPER.valueToTree(update.event()));
            }
        }
        return events;
    }

    @Override
    public List<ObjectNode> current(Set<String> users) {
        List<ObjectNode> events = new ArrayList<>();
        for (PresenceUpdate update : presence.since(0, users)) {
            events.add(Json.MAPPER.valueToTree(update.event()));
        }
        return events;
    }
}
