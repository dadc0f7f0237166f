package org.myelin.server.client.sync.sliding;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server remembers having sent on a sliding sync connection (Synapse's
 * {@code PerConnectionState}), as of one connection position: per room, whether its timeline,
 * receipts and account data were sent ({@link Sent}), the parameters it was last sent with, and
 * the lazy-loaded members sent. Immutable; a response's changes go into a {@link Builder}, which
 * becomes the state of the next position.
 */
public record ConnectionState(Map<String, Sent> rooms, Map<String, Sent> receipts, Map<String, Sent> accountData,
                              Map<String, RoomParams> roomParams, Map<String, Map<String, String>> lazyMembers) {

    /** How many lazy-loaded members are remembered per room (as Synapse): more are sent again. */
    static final int MAX_LAZY_MEMBERS_PER_ROOM = 100;

    public static final ConnectionState EMPTY = new ConnectionState(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

    public ConnectionState {
        rooms = Map.copyOf(rooms);
        receipts = Map.copyOf(receipts);
        accountData = Map.copyOf(accountData);
        roomParams = Map.copyOf(roomParams);
        lazyMembers = Map.copyOf(lazyMembers);
    }

    /** How large the state is, for bounding what is kept in memory. */
    int weight() {
        return 1 + rooms.size() + receipts.size() + accountData.size() + roomParams.size() + lazyMembers.size();
    }

    Builder builder() {
        return new Builder(this);
    }

    /** The changes one response makes to a connection's state. */
    static final class Builder {
        private final ConnectionState base;
        private final Map<String, Sent> rooms;
        private final Map<String, Sent> receipts;
        private final Map<String, Sent> accountData;
        private final Map<String, RoomParams> roomParams;
        private final Map<String, Map<String, String>> lazyMembers;
        private boolean changed;

        private Builder(ConnectionState base) {
            this.base = base;
            this.rooms = new HashMap<>(base.rooms);
            this.receipts = new HashMap<>(base.receipts);
            this.accountData = new HashMap<>(base.accountData);
            this.roomParams = new HashMap<>(base.roomParams);
            this.lazyMembers = new HashMap<>(base.lazyMembers);
        }

        Map<String, Sent> rooms() {
            return rooms;
        }

        Map<String, Sent> receipts() {
            return receipts;
        }

        Map<String, Sent> accountData() {
            return accountData;
        }

        /** Marks {@code roomIds} as sent in full in {@code stream} (one of this builder's maps). */
        void sent(Map<String, Sent> stream, Collection<String> roomIds) {
            for (String roomId : roomIds) {
                if (!(stream.get(roomId) instanceof Sent.Live)) {
                    stream.put(roomId, Sent.LIVE);
                    changed = true;
                }
            }
        }

        /**
         * Marks {@code roomIds}, which had updates after {@code after} that were not sent, as behind:
         * only rooms that were live; those never sent stay so, those behind stay behind from earlier.
         */
        void missed(Map<String, Sent> stream, Collection<String> roomIds, long after) {
            for (String roomId : roomIds) {
                if (stream.get(roomId) instanceof Sent.Live) {
                    stream.put(roomId, new Sent.Behind(after));
                    changed = true;
                }
            }
        }

        void params(String roomId, RoomParams params) {
            if (!params.equals(roomParams.put(roomId, params))) {
                changed = true;
            }
        }

        /** Records membership events sent as lazy-loaded members of {@code roomId} (user id to event id). */
        void lazyMembersSent(String roomId, Map<String, String> members) {
            Map<String, String> known = lazyMembers.getOrDefault(roomId, Map.of());
            if (members.isEmpty() || known.entrySet().containsAll(members.entrySet())) {
                return;
            }
            LinkedHashMap<String, String> updated = new LinkedHashMap<>(known);
            members.forEach((user, event) -> {
                updated.remove(user);
                updated.put(user, event);
            });
            while (updated.size() > MAX_LAZY_MEMBERS_PER_ROOM) {
                updated.remove(updated.keySet().iterator().next());
            }
            lazyMembers.put(roomId, updated);
            changed = true;
        }

        /** Forgets the lazy-loaded members of {@code roomId}: it is sent afresh. */
        void resetLazyMembers(String roomId) {
            if (lazyMembers.remove(roomId) != null) {
                changed = true;
            }
        }

        boolean changed() {
            return changed;
        }

        ConnectionState build() {
            return changed ? new ConnectionState(rooms, receipts, accountData, roomParams, lazyMembers) : base;
        }
    }
}
