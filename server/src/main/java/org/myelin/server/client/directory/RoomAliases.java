package org.myelin.server.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.InvalidIdentifierException;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.AliasRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Room aliases (client-server API, "Room aliases"): this server's aliases are kept here; other
 * servers' are asked through {@link RemoteDirectory}. As in Synapse, creating an alias needs
 * membership of the room; deleting one needs to be its creator or to have the power to send
 * {@code m.room.canonical_alias}; a deleted alias is also taken out of the canonical alias event.
 */
public final class RoomAliases {

    private static final String CANONICAL_ALIAS = "m.room.canonical_alias";

    private final AliasRepository aliases;
    private final MembershipRepository memberships;
    private final RoomAccess access;
    private final RoomActions actions;
    private final LocalServer local;
    private final Supplier<RemoteDirectory> remote;
    private final Clock clock;
    private volatile AliasNamespaces namespaces = AliasNamespaces.NONE;

    public RoomAliases(AliasRepository aliases, MembershipRepository memberships, RoomAccess access,
                       RoomActions actions, LocalServer local, Supplier<RemoteDirectory> remote, Clock clock) {
        this.aliases = aliases;
        this.memberships = memberships;
        this.access = access;
        this.actions = actions;
        this.local = local;
        this.remote = remote;
        this.clock = clock;
    }

    /** The application services' alias namespaces (set once at start). */
    public void useNamespaces(AliasNamespaces reserved) {
        this.namespaces = reserved;
    }

    /** {@code PUT /directory/room/{roomAlias}}: the requester, in the room, names it. */
    public void create(Requester requester, String alias, String roomId) {
        RoomAlias parsed = parseLocal(alias);
        checkNamespace(parsed, requester);
        access.head(roomId);
        if (!memberships.of(roomId, requester.userId()).map(m -> m.membership().equals("join")).orElse(false)) {
            throw MatrixException.forbidden("You must be in the room to create an alias for it");
        }
        if (!aliases.create(parsed.toString(), roomId, requester.userId(), clock.millis())) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Room alias " + alias + " already exists").withStatus(409);
        }
    }

    /** The alias a new room will get from {@code room_alias_name}; 400 M_ROOM_IN_USE if taken. */
    public RoomAlias available(String localpart) {
        if (localpart.isEmpty() || localpart.chars().anyMatch(c -> c == ':' || Character.isWhitespace(c))) {
            throw MatrixException.invalidParam("Invalid characters in room alias");
        }
        RoomAlias alias;
        try {
            alias = RoomAlias.parse("#" + localpart + ":" + local.serverName());
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.getMessage());
        }
        if (aliases.find(alias.toString()).isPresent()) {
            throw MatrixException.of(ErrCode.M_ROOM_IN_USE, "Room alias already taken");
        }
        return alias;
    }

    /** Names a room just created by {@code creator}; 400 M_ROOM_IN_USE if someone took the alias meanwhile. */
    public void createForNewRoom(RoomAlias alias, String roomId, String creator) {
        if (!aliases.create(alias.toString(), roomId, creator, clock.millis())) {
            throw MatrixException.of(ErrCode.M_ROOM_IN_USE, "Room alias already taken");
        }
    }

    /** {@code GET /directory/room/{roomAlias}}: the room and servers in it; 404 if unknown. */
    public RemoteDirectory.Resolved resolve(String alias) {
        RoomAlias parsed = parse(alias);
        if (!parsed.server().toString().equals(local.serverName())) {
            return remote.get().resolve(parsed.toString())
                    .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        }
        Optional<AliasRepository.Alias> known = aliases.find(parsed.toString());
        if (known.isEmpty() && namespaces.queriedExists(parsed.toString())) {
            known = aliases.find(parsed.toString());
        }
        AliasRepository.Alias found = known
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        Set<String> servers = new LinkedHashSet<>();
        servers.add(local.serverName());
        servers.addAll(memberships.joinedServers(found.roomId()));
        return new RemoteDirectory.Resolved(found.roomId(), List.copyOf(servers));
    }

    /** {@code DELETE /directory/room/{roomAlias}}. */
    public void delete(Requester requester, String alias) {
        RoomAlias parsed = parseLocal(alias);
        checkNamespace(parsed, requester);
        AliasRepository.Alias found = aliases.find(parsed.toString())
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        if (!found.creator().equals(requester.userId())
                && !access.canSendState(found.roomId(), requester.userId(), CANONICAL_ALIAS)) {
            throw MatrixException.forbidden("You don't have permission to delete the alias");
        }
        aliases.delete(found.alias());
        removeFromCanonicalAlias(requester, found);
    }

    /** 400 M_EXCLUSIVE when an application service holds the alias exclusively, as Synapse. */
    private void checkNamespace(RoomAlias alias, Requester requester) {
        if (!namespaces.mayModify(alias.toString(), requester.userId())) {
            throw MatrixException.of(ErrCode.M_EXCLUSIVE, "This alias is reserved by an application service.");
        }
    }

    /** {@code GET /rooms/{roomId}/aliases}: for members, or anyone if the room is world readable. */
    public List<String> ofRoom(Requester requester, String roomId) {
        access.head(roomId);
        boolean joined = memberships.of(roomId, requester.userId()).map(m -> m.membership().equals("join"))
                .orElse(false);
        if (!joined && !access.isWorldReadable(roomId)) {
            throw MatrixException.forbidden("You are not in room " + roomId);
        }
        return aliases.ofRoom(roomId).stream().map(AliasRepository.Alias::alias).toList();
    }

    /**
     * Checks an {@code m.room.canonical_alias} content a client sends: its aliases must be valid,
     * and this server's must exist and name this room (400 M_BAD_ALIAS otherwise).
     */
    public void checkCanonicalAlias(String roomId, ObjectNode content) {
        List<JsonNode> named = new ArrayList<>();
        if (content.hasNonNull("alias")) {
            named.add(content.get("alias"));
        }
        if (content.has("alt_aliases")) {
            if (!content.get("alt_aliases").isArray()) {
                throw MatrixException.invalidParam("alt_aliases must be a list of aliases");
            }
            content.get("alt_aliases").forEach(named::add);
        }
        for (JsonNode node : named) {
            if (!node.isTextual() || !RoomAlias.isValid(node.textValue())) {
                throw MatrixException.invalidParam("Invalid alias: " + node);
            }
            RoomAlias alias = RoomAlias.parse(node.textValue());
            if (alias.server().toString().equals(local.serverName())
                    && !aliases.find(alias.toString()).map(a -> a.roomId().equals(roomId)).orElse(false)) {
                throw MatrixException.of(ErrCode.M_BAD_ALIAS, "Room alias " + alias + " does not point to the room");
            }
        }
    }

    /**
     * A room upgrade (client-server API, "Room Upgrades", server behaviour 4; Synapse's
     * {@code _move_aliases_to_new_room}): this server's aliases of the old room name the new one,
     * and so does the canonical alias event: this server's {@code alias} and {@code alt_aliases}
     * leave the old room's event for the new room's, the others stay. {@code canonical} is the old
     * room's canonical alias event as the upgrade found it (null: none). The events are best
     * effort: the aliases move either way.
     */
    public void moveToReplacement(String sender, String oldRoomId, String newRoomId, Pdu canonical) {
        aliases.moveAll(oldRoomId, newRoomId);
        if (canonical == null) {
            return;
        }
        ObjectNode oldContent = canonical.content().deepCopy();
        ObjectNode newContent = oldContent.objectNode();
        String alias = oldContent.path("alias").asText(null);
        if (alias != null && isLocal(alias)) {
            newContent.put("alias", alias);
            oldContent.remove("alias");
        }
        if (oldContent.get("alt_aliases") instanceof ArrayNode alt && !alt.isEmpty()) {
            ArrayNode moved = newContent.putArray("alt_aliases");
            for (int i = alt.size() - 1; i >= 0; i--) {
                if (alt.get(i).isTextual() && isLocal(alt.get(i).textValue())) {
                    moved.insert(0, alt.remove(i));
                }
            }
            if (alt.isEmpty()) {
                oldContent.remove("alt_aliases");
            }
        }
        canonicalAliasBestEffort(sender, oldRoomId, oldContent);
        canonicalAliasBestEffort(sender, newRoomId, newContent);
    }

    private void canonicalAliasBestEffort(String sender, String roomId, ObjectNode content) {
        try {
            actions.sendState(roomId, sender, CANONICAL_ALIAS, "", content);
        } catch (MatrixException refused) {
            // As Synapse: the aliases have moved; the upgrade goes on without the event.
        }
    }

    private boolean isLocal(String alias) {
        return RoomAlias.isValid(alias) && RoomAlias.parse(alias).server().toString().equals(local.serverName());
    }

    private void removeFromCanonicalAlias(Requester requester, AliasRepository.Alias deleted) {
        Pdu canonical;
        try {
            canonical = access.currentState(deleted.roomId(), StateKey.of(CANONICAL_ALIAS, ""));
        } catch (MatrixException unknownRoom) {
            return;
        }
        if (canonical == null) {
            return;
        }
        ObjectNode content = canonical.content().deepCopy();
        boolean changed = false;
        if (deleted.alias().equals(content.path("alias").asText(null))) {
            content.remove("alias");
            changed = true;
        }
        if (content.get("alt_aliases") instanceof ArrayNode alt) {
            for (int i = alt.size() - 1; i >= 0; i--) {
                if (deleted.alias().equals(alt.get(i).asText(null))) {
                    alt.remove(i);
                    changed = true;
                }
            }
        }
        if (changed) {
            try {
                actions.sendState(deleted.roomId(), requester.userId(), CANONICAL_ALIAS, "", content);
            } catch (MatrixException notAllowed) {
                // As Synapse: the alias is gone either way; the event is best effort.
            }
        }
    }

    private RoomAlias parse(String alias) {
        try {
            return RoomAlias.parse(alias);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + alias);
        }
    }

    private RoomAlias parseLocal(String alias) {
        RoomAlias parsed = parse(alias);
        if (!parsed.server().toString().equals(local.serverName())) {
            throw MatrixException.invalidParam("Room alias must be on this server (" + local.serverName() + ")");
        }
        return parsed;
    }
}
