package org.myelin.server.client.push;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.push.PushActions;
import org.myelin.server.client.rooms.IgnoredSenders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which local users an event notifies, and how (client-server API, "Server behaviour" of push
 * notifications): the push rules of each local user in the room but the sender are evaluated; those
 * whose actions notify get a push action, unless they ignore the sender ({@code m.ignored_user_list}).
 *
 * <p>Who is evaluated follows Synapse's bulk evaluator: for a membership event only the invited
 * user of an invite (a default rule notifies of invites, another silences every other membership
 * change, and evaluating a large room's members for each join is what makes joins slow); for any
 * other event the local users joined to the room.
 */
final class EventPushActions {

    private final String serverName;
    private final PushEvaluation push;
    private final IgnoredSenders ignored;

    EventPushActions(String serverName, PushEvaluation push, IgnoredSenders ignored) {
        this.serverName = serverName;
        this.push = push;
        this.ignored = ignored;
    }

    /**
     * The actions of {@code event} for each local user it notifies, in the order of the room's
     * members.
     *
     * @param facts the room facts of a room, computed once for the events of a batch
     */
    Map<String, PushActions> of(Pdu event, Function<String, PushEvaluation.RoomFacts> facts) {
        List<String> candidates = invitee(event).orElseGet(() -> joinedLocally(event, facts.apply(event.roomId())));
        if (candidates.isEmpty()) {
            return Map.of();
        }
        PushEvaluation.RoomFacts roomFacts = facts.apply(event.roomId());
        Map<String, PushActions> notified = new LinkedHashMap<>();
        for (String userId : candidates) {
            PushActions actions = push.evaluate(userId, event, roomFacts);
            if (actions.notifies()) {
                notified.put(userId, actions);
            }
        }
        if (!notified.isEmpty()) {
            notified.keySet().removeAll(ignored.ignoring(notified.keySet(), event.sender()));
        }
        return notified;
    }

    /** For a membership event, who is evaluated: the local user it invites, or no one. Empty for other events. */
    private Optional<List<String>> invitee(Pdu event) {
        if (!event.isState() || !"m.room.member".equals(event.type())) {
            return Optional.empty();
        }
        String target = event.stateKey();
        boolean invitesLocalUser = "invite".equals(event.membership()) && isLocal(target)
                && !target.equals(event.sender());
        return Optional.of(invitesLocalUser ? List.of(target) : List.of());
    }

    private List<String> joinedLocally(Pdu event, PushEvaluation.RoomFacts facts) {
        List<String> local = new ArrayList<>();
        for (String userId : facts.joined()) {
            if (isLocal(userId) && !userId.equals(event.sender())) {
                local.add(userId);
            }
        }
        return local;
    }

    private boolean isLocal(String userId) {
        return userId != null && serverName.equals(Pdu.domainOf(userId));
    }
}
