package org.myelin.server.client.spaces;

import org.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /_matrix/federation/v1/hierarchy/{roomId}} (server-server API, "Spaces"): a room of
 * ours and its children, one level, for another server to filter for its users. A room is given
 * when that server may see it ({@link LocalSummaries#visibleToServer}); a child this server is in
 * but that server may not see is named in {@code inaccessible_children}; a child this server is
 * not in is left out (it cannot tell).
 */
public final class ServedHierarchy {

    /** The answer: the room with its children's events, the children's summaries, the children not to ask about. */
    public record Answer(HierarchyRoom room, List<RoomSummary> children, List<String> inaccessibleChildren) {
    }

    private final LocalSummaries local;

    public ServedHierarchy(LocalSummaries local) {
        this.local = local;
    }

    /** The room for {@code origin}; 404 M_NOT_FOUND when unknown here or not for that server to see. */
    public Answer answer(String origin, String roomId, boolean suggestedOnly) {
        RoomSummary summary = local.summary(roomId).filter(s -> local.visibleToServer(roomId, origin))
                .orElseThrow(() -> MatrixException.notFound("Unknown room: " + roomId));
        List<SpaceChild> childrenState = summary.isSpace()
                ? local.children(roomId, suggestedOnly, SpaceHierarchy.MAX_CHILDREN) : List.of();
        List<RoomSummary> children = new ArrayList<>();
        List<String> inaccessible = new ArrayList<>();
        for (SpaceChild child : childrenState) {
            String childId = child.stateKey();
            if (!local.isJoinedHere(childId)) {
                continue;
            }
            if (local.visibleToServer(childId, origin)) {
                local.summary(childId).ifPresent(children::add);
            } else {
                inaccessible.add(childId);
            }
        }
        return new Answer(new HierarchyRoom(summary, childrenState), children, inaccessible);
    }
}
