package org.myelin.server.client.spaces;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Spaces and rooms this server is not in, as other servers describe them (server-server API,
 * {@code GET /_matrix/federation/v1/hierarchy/{roomId}}). Declared here, implemented by
 * federation; until it is plugged in, no other server is asked.
 */
public interface RemoteHierarchy {

    /**
     * A room (with its children's events, if it is a space) and its children as a server in it
     * answered, already checked.
     *
     * @param children     the summaries of the children that server could give, by room id
     * @param inaccessible the children that server says no server may see: not worth asking about
     */
    record RemoteSpace(RoomSummary room, List<SpaceChild> childrenState, Map<String, RoomSummary> children,
                       Set<String> inaccessible) {
        public RemoteSpace {
            childrenState = List.copyOf(childrenState);
            children = Map.copyOf(children);
            inaccessible = Set.copyOf(inaccessible);
        }
    }

    /**
     * Asks {@code via}, in turn, for the room; the first good answer (perhaps one kept from a
     * little while ago), or empty when none gave one.
     */
    Optional<RemoteSpace> hierarchy(String roomId, List<String> via, boolean suggestedOnly);

    RemoteHierarchy NONE = (roomId, via, suggestedOnly) -> Optional.empty();
}
