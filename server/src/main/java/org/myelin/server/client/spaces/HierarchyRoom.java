package org.myelin.server.client.spaces;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.util.List;

/**
 * One room of a hierarchy: its summary and, for a space, its {@code m.space.child} events
 * ({@code SpaceHierarchyRoomsChunk} of the client-server API, {@code SpaceHierarchyParentRoom} of
 * the server-server API). {@code children_state} is always there, empty for a room that is no space.
 */
public record HierarchyRoom(@JsonUnwrapped RoomSummary summary,
                            @JsonInclude(JsonInclude.Include.ALWAYS) List<SpaceChild> childrenState) {

    public HierarchyRoom {
        childrenState = List.copyOf(childrenState);
    }
}
