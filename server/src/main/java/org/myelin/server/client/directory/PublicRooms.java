package org.myelin.server.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.RoomDirectoryRepository;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The published room directory (client-server API, "Published room directory"): which rooms are
 * listed, and the list itself, largest rooms first, in pages whose {@code since} tokens carry the
 * offset of the page ({@code o<offset>}). Another server's directory is asked through
 * {@link RemoteDirectory}.
 */
public final class PublicRooms {

    static final int DEFAULT_LIMIT = 100;

    private final RoomDirectoryRepository directory;
    private final RoomAccess access;
    private final LocalServer local;
    private final Supplier<RemoteDirectory> remote;
    private final Clock clock;
    /** The rooms application services published in their networks' directories, by instance id. */
    private volatile NetworkDirectories networks = NetworkDirectories.NONE;

    /**
     * The directories of application services' third-party networks: rooms by
     * {@code third_party_instance_id} ({@code <appservice id>|<network id>}).
     */
    public interface NetworkDirectories {
        NetworkDirectories NONE = new NetworkDirectories() {
            @Override
            public List<String> rooms(String instanceId) {
                return List.of();
            }

            @Override
            public List<String> allRooms() {
                return List.of();
            }
        };

        /** The rooms published in one network's directory. */
        List<String> rooms(String instanceId);

        /** The rooms published in any network's directory. */
        List<String> allRooms();
    }

    public PublicRooms(RoomDirectoryRepository directory, RoomAccess access, LocalServer local,
                       Supplier<RemoteDirectory> remote, Clock clock) {
        this.directory = directory;
        this.access = access;
        this.local = local;
        this.remote = remote;
        this.clock = clock;
    }

    /** {@code GET /directory/list/room/{roomId}}: {@code public} or {@code private}; 404 for an unknown room. */
    public String visibility(String roomId) {
        access.head(roomId);
        return directory.visibility(roomId);
    }

    /**
     * {@code PUT /directory/list/room/{roomId}}: publishes or hides the room. As Synapse, the
     * requester must be in the room with the power to send {@code m.room.canonical_alias}.
     */
    public void setVisibility(Requester requester, String roomId, String visibility) {
        access.head(roomId);
        if (!access.canSendState(roomId, requester.userId(), "m.room.canonical_alias")) {
            throw MatrixException.forbidden("You need to be a moderator in the room to change its directory entry");
        }
        directory.setVisibility(roomId, visibility, clock.millis());
    }

    /** Where the rooms of the application services' network directories come from (set once at start). */
    public void useNetworkDirectories(NetworkDirectories directories) {
        this.networks = directories;
    }

    /** {@code GET/POST /publicRooms}: a page of {@code server}'s directory (null: this server's). */
    public PublicRoomsResponse list(String server, PublicRoomsQuery query) {
        return list(server, query, null, false);
    }

    /**
     * As {@link #list(String, PublicRoomsQuery)} for a {@code POST /publicRooms} that names a
     * network, as Synapse: {@code thirdPartyInstanceId} lists that network's rooms only,
     * {@code includeAllNetworks} the main directory's and every network's, neither the main's.
     */
    public PublicRoomsResponse list(String server, PublicRoomsQuery query, String thirdPartyInstanceId,
                                    boolean includeAllNetworks) {
        if (server != null && !server.equals(local.serverName())) {
            return remote.get().publicRooms(server, query);
        }
        List<PublicRoomsResponse.PublicRoom> rooms = new ArrayList<>();
        List<String> published;
        if (thirdPartyInstanceId != null) {
            published = networks.rooms(thirdPartyInstanceId);
        } else if (includeAllNetworks) {
            java.util.Set<String> all = new java.util.LinkedHashSet<>(directory.publicRooms());
            all.addAll(networks.allRooms());
            published = List.copyOf(all);
        } else {
            published = directory.publicRooms();
        }
        Map<String, Integer> counts = directory.joinedCounts(published);
        for (String roomId : published) {
            PublicRoomsResponse.PublicRoom room = describe(roomId, counts.getOrDefault(roomId, 0));
            if (room != null && matches(room, query)) {
                rooms.add(room);
            }
        }
        rooms.sort(Comparator.comparingInt(PublicRoomsResponse.PublicRoom::numJoinedMembers).reversed()
                .thenComparing(PublicRoomsResponse.PublicRoom::roomId));
        int offset = offset(query.since());
        int limit = query.limit() == null || query.limit() <= 0 ? DEFAULT_LIMIT : query.limit();
        int from = Math.min(offset, rooms.size());
        int to = (int) Math.min((long) from + limit, rooms.size());
        String next = to < rooms.size() ? "o" + to : null;
        String prev = from > 0 ? "o" + Math.max(0, from - limit) : null;
        return new PublicRoomsResponse(List.copyOf(rooms.subList(from, to)), next, prev, rooms.size());
    }

    private PublicRoomsResponse.PublicRoom describe(String roomId, int joined) {
        try {
            access.head(roomId);
        } catch (MatrixException unknown) {
            return null;
        }
        String joinRule = text(roomId, "m.room.join_rules", "join_rule");
        return new PublicRoomsResponse.PublicRoom(roomId, text(roomId, "m.room.name", "name"),
                text(roomId, "m.room.topic", "topic"), text(roomId, "m.room.canonical_alias", "alias"), joined,
                "world_readable".equals(text(roomId, "m.room.history_visibility", "history_visibility")),
                "can_join".equals(text(roomId, "m.room.guest_access", "guest_access")),
                joinRule == null ? "public" : joinRule, text(roomId, StateKey.CREATE, "type"),
                text(roomId, "m.room.avatar", "url"));
    }

    private String text(String roomId, String type, String key) {
        Pdu event = access.currentState(roomId, StateKey.of(type, ""));
        JsonNode value = event == null ? null : event.content().get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static boolean matches(PublicRoomsResponse.PublicRoom room, PublicRoomsQuery query) {
        if (query.roomTypes() != null && !query.roomTypes().contains(room.roomType())) {
            return false;
        }
        String term = query.searchTerm();
        if (term == null || term.isBlank()) {
            return true;
        }
        String needle = term.toLowerCase(Locale.ROOT);
        for (String field : new String[] {room.name(), room.topic(), room.canonicalAlias()}) {
            if (field != null && field.toLowerCase(Locale.ROOT).contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private static int offset(String since) {
        if (since == null || since.isEmpty()) {
            return 0;
        }
        try {
            if (since.charAt(0) == 'o') {
                return Math.max(0, Integer.parseInt(since.substring(1)));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw MatrixException.invalidParam("Invalid since token: " + since);
    }
}
