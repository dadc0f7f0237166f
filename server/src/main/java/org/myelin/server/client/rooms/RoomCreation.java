package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RoomAliases;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.RoomDirectoryRepository;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /createRoom} (client-server API, "Room creation"): the events of a new room, in the
 * order the spec gives, each through the one pipeline:
 *
 * <ol>
 *   <li>{@code m.room.create} ({@code creation_content}, {@code room_version}, {@code creator}
 *       up to v10, {@code additional_creators} with the invitees of a v12
 *       {@code trusted_private_chat});</li>
 *   <li>the creator's join;</li>
 *   <li>{@code m.room.power_levels}: Synapse's defaults, the preset's override, then
 *       {@code power_level_content_override} (or the one of {@code initial_state});</li>
 *   <li>{@code m.room.canonical_alias} for {@code room_alias_name};</li>
 *   <li>the preset's join rules, history visibility and guest access;</li>
 *   <li>{@code initial_state};</li>
 *   <li>{@code name} and {@code topic};</li>
 *   <li>the invites (with {@code is_direct}).</li>
 * </ol>
 *
 * An event of steps 3 to 7 that auth rejects makes the request 400 M_INVALID_ROOM_STATE.
 */
public final class RoomCreation {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** What a preset sets (Synapse's presets, which the spec's table follows). */
    private record Preset(String joinRule, String historyVisibility, boolean guestCanJoin,
                          boolean inviteesHaveOps, Map<String, Integer> powerLevelOverride) {
    }

    private static final Map<String, Preset> PRESETS = Map.of(
            "private_chat", new Preset("invite", "shared", true, false, Map.of("invite", 0)),
            "trusted_private_chat", new Preset("invite", "shared", true, true, Map.of("invite", 0)),
            "public_chat", new Preset("public", "shared", false, false, Map.of()));

    private final RoomActions actions;
    private final Memberships memberships;
    private final RoomAliases aliases;
    private final RoomDirectoryRepository directory;
    private final LocalServer local;
    private final Clock clock;
    private final RoomVersion defaultVersion;
    private final SecureRandom random = new SecureRandom();

    /** @param defaultVersion the version of rooms created without one ({@code default_room_version}) */
    public RoomCreation(RoomActions actions, Memberships memberships, RoomAliases aliases,
                        RoomDirectoryRepository directory, LocalServer local, Clock clock, RoomVersion defaultVersion) {
        this.defaultVersion = defaultVersion;
        this.actions = actions;
        this.memberships = memberships;
        this.aliases = aliases;
        this.directory = directory;
        this.local = local;
        this.clock = clock;
    }

    /** Creates the room; returns its id. */
    public String create(Requester requester, CreateRoomRequest request) {
        String versionId = request.roomVersion() == null ? defaultVersion.id() : request.roomVersion();
        RoomVersion version = RoomVersions.find(versionId).orElseThrow(() -> MatrixException.of(
                ErrCode.M_UNSUPPORTED_ROOM_VERSION, "Your homeserver does not support room version " + versionId));
        Preset preset = PRESETS.get(request.effectivePreset());
        RoomAlias alias = request.roomAliasName() == null ? null : aliases.available(request.roomAliasName());
        String creator = requester.userId();

        Pdu create = actions.submit(new Input.LocalEvent(
                version.auth().roomIdIsCreateEventHash() ? null : newRoomId(),
                creator, StateKey.CREATE, "", createContent(request, version, creator), null));
        String roomId = create.roomId();
        if (alias != null) {
            aliases.createForNewRoom(alias, roomId, creator);
        }
        memberships.join(requester, roomId, java.util.List.of(), null);

        Map<StateKey, ObjectNode> initial = new LinkedHashMap<>();
        for (CreateRoomRequest.InitialState s : request.initialState()) {
            initial.put(new StateKey(s.type(), s.stateKey()), s.content());
        }
        ObjectNode powerLevels = initial.remove(StateKey.powerLevels());
        state(roomId, creator, StateKey.POWER_LEVELS,
                powerLevels != null ? powerLevels : powerLevels(request, version, preset, creator));
        if (alias != null && !initial.containsKey(StateKey.of("m.room.canonical_alias", ""))) {
            state(roomId, creator, "m.room.canonical_alias", object("alias", alias.toString()));
        }
        if (!initial.containsKey(StateKey.joinRules())) {
            state(roomId, creator, StateKey.JOIN_RULES, object("join_rule", preset.joinRule()));
        }
        if (!initial.containsKey(StateKey.of("m.room.history_visibility", ""))) {
            state(roomId, creator, "m.room.history_visibility", object("history_visibility", preset.historyVisibility()));
        }
        if (preset.guestCanJoin() && !initial.containsKey(StateKey.of("m.room.guest_access", ""))) {
            state(roomId, creator, "m.room.guest_access", object("guest_access", "can_join"));
        }
        initial.forEach((key, content) -> state(roomId, creator, key.type(), key.stateKey(), content));
        if (request.name() != null) {
            state(roomId, creator, "m.room.name", object("name", request.name()));
        }
        if (request.topic() != null) {
            state(roomId, creator, "m.room.topic", topic(request.topic()));
        }
        for (String invitee : request.invite()) {
            memberships.invite(requester, roomId, invitee, null, request.direct());
        }
        if (request.isPublic()) {
            directory.setVisibility(roomId, RoomDirectoryRepository.PUBLIC, clock.millis());
        }
        return roomId;
    }

    private ObjectNode createContent(CreateRoomRequest request, RoomVersion version, String creator) {
        ObjectNode content = request.creationContent() == null ? JSON.objectNode() : request.creationContent().deepCopy();
        content.put("room_version", version.id());
        if (version.auth().createNeedsCreator()) {
            content.put("creator", creator);
        } else {
            content.remove("creator");
        }
        if (version.auth().creatorsHaveInfinitePower() && "trusted_private_chat".equals(request.effectivePreset())
                && !request.invite().isEmpty()) {
            Set<String> creators = new LinkedHashSet<>();
            if (content.get("additional_creators") instanceof ArrayNode given) {
                given.forEach(n -> creators.add(n.asText()));
            }
            creators.addAll(request.invite());
            creators.remove(creator);
            ArrayNode additional = content.putArray("additional_creators");
            creators.forEach(additional::add);
        }
        return content;
    }

    /** Synapse's default power levels, then the preset's override, then the request's. */
    private static ObjectNode powerLevels(CreateRoomRequest request, RoomVersion version, Preset preset, String creator) {
        boolean creatorsInfinite = version.auth().creatorsHaveInfinitePower();
        ObjectNode content = JSON.objectNode();
        ObjectNode users = content.putObject("users");
        if (!creatorsInfinite) {
            // From v12 creators outrank every level and must not be listed.
            users.put(creator, 100);
            if (preset.inviteesHaveOps()) {
                request.invite().forEach(invitee -> users.put(invitee, 100));
            }
        }
        content.put("users_default", 0);
        ObjectNode events = content.putObject("events");
        events.put("m.room.name", 50);
        events.put("m.room.power_levels", 100);
        events.put("m.room.history_visibility", 100);
        events.put("m.room.canonical_alias", 50);
        events.put("m.room.avatar", 50);
        // v12: upgrading must need more than state_default, so only creators can (spec, createRoom step 3).
        events.put("m.room.tombstone", creatorsInfinite ? 150 : 100);
        events.put("m.room.server_acl", 100);
        events.put("m.room.encryption", 100);
        content.put("events_default", 0);
        content.put("state_default", 50);
        content.put("ban", 50);
        content.put("kick", 50);
        content.put("redact", 50);
        content.put("invite", 50);
        content.put("historical", 100);
        preset.powerLevelOverride().forEach(content::put);
        if (request.powerLevelContentOverride() != null) {
            request.powerLevelContentOverride().properties()
                    .forEach(e -> content.set(e.getKey(), e.getValue().deepCopy()));
        }
        return content;
    }

    private static ObjectNode topic(String topic) {
        ObjectNode content = object("topic", topic);
        ObjectNode text = content.putObject("m.topic").putArray("m.text").addObject();
        text.put("body", topic);
        text.put("mimetype", "text/plain");
        return content;
    }

    private void state(String roomId, String sender, String type, ObjectNode content) {
        state(roomId, sender, type, "", content);
    }

    private void state(String roomId, String sender, String type, String stateKey, ObjectNode content) {
        try {
            actions.sendState(roomId, sender, type, stateKey, content);
        } catch (MatrixException e) {
            if (e.errCode() == ErrCode.M_FORBIDDEN) {
                throw MatrixException.of(ErrCode.M_INVALID_ROOM_STATE, "Cannot set " + type + " in the new room: "
                        + e.getMessage());
            }
            throw e;
        }
    }

    private static ObjectNode object(String key, String value) {
        ObjectNode content = JSON.objectNode();
        content.put(key, value);
        return content;
    }

    /** A new room id of this server, for room versions where the server picks it (before v12). */
    public String newRoomId() {
        StringBuilder id = new StringBuilder("!");
        for (int i = 0; i < 18; i++) {
            id.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        return id.append(':').append(local.serverName()).toString();
    }
}
