package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.http.MatrixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The room that replaces an upgraded one (client-server API, "Room Upgrades", server behaviour 2
 * and 3; Synapse's {@code clone_existing_room}): a create event naming its predecessor and
 * keeping its room type and {@code m.federate}, the upgrader's join, then the old room's power
 * levels (with the upgrader raised far enough to copy the rest), join rules, history visibility,
 * guest access, name, topic, avatar, encryption and server ACL, a space's children, and its bans.
 * Nothing sent by others is copied as theirs: every event is the upgrader's. A room without join
 * rules or history visibility gets {@code invite} and {@code shared}, as a private room would; one
 * without power levels gets none either (its creator's level is the default's).
 */
final class ReplacementRoom {

    private static final Logger LOG = LoggerFactory.getLogger(ReplacementRoom.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** The single state events copied after the power levels, in the order they are sent. */
    private static final List<String> COPIED = List.of("m.room.join_rules", "m.room.history_visibility",
            "m.room.guest_access", "m.room.name", "m.room.topic", "m.room.avatar", "m.room.encryption",
            "m.room.server_acl");
    private static final Map<String, ObjectNode> DEFAULTS = Map.of(
            "m.room.join_rules", JSON.objectNode().put("join_rule", "invite"),
            "m.room.history_visibility", JSON.objectNode().put("history_visibility", "shared"));

    /**
     * The old room as the upgrade found it.
     *
     * @param state   its current state when the upgrade began
     * @param create  its create event
     * @param levels  its power levels content, fixed up (empty when it has none)
     */
    record Old(String roomId, Map<StateKey, String> state, Pdu create, ObjectNode levels) {
    }

    private final RoomActions actions;
    private final Memberships memberships;
    private final EventCache events;

    ReplacementRoom(RoomActions actions, Memberships memberships, EventCache events) {
        this.actions = actions;
        this.memberships = memberships;
        this.events = events;
    }

    /**
     * Creates the room (with {@code roomId}, or null where the version makes the id from the create
     * event) and fills it; returns its id.
     *
     * @param tombstoneId the old room's tombstone, named by the predecessor; null when not known yet (v12)
     * @param creators    the upgrader and the {@code additional_creators}
     */
    String create(Requester upgrader, Old old, RoomVersion version, String roomId, String tombstoneId,
                  List<String> creators) {
        Pdu create = actions.submit(new Input.LocalEvent(roomId, upgrader.userId(), StateKey.CREATE, "",
                createContent(upgrader.userId(), old, version, tombstoneId, creators), null));
        String newRoomId = create.roomId();
        memberships.join(upgrader, newRoomId, List.of(), null);
        if (!old.levels().isEmpty()) {
            ObjectNode levels = UpgradePowerLevels.raisedFor(old.levels(), upgrader.userId());
            if (version.auth().creatorsHaveInfinitePower()) {
                levels = UpgradePowerLevels.withoutCreators(levels, creators);
            }
            // The first power levels of a room are allowed whatever they say (auth rules, power levels).
            actions.sendState(newRoomId, upgrader.userId(), StateKey.POWER_LEVELS, "", levels);
        }
        for (String type : COPIED) {
            ObjectNode content = contentOf(old, StateKey.of(type, ""));
            if (content == null) {
                content = DEFAULTS.get(type);
            }
            if (content != null) {
                copy(upgrader, newRoomId, type, "", content);
            }
        }
        if (old.create().content().path("type").asText("").equals("m.space")) {
            forEachOfType(old, "m.space.child", (stateKey, content) -> {
                if (!content.isEmpty()) {
                    copy(upgrader, newRoomId, "m.space.child", stateKey, content);
                }
            });
        }
        forEachOfType(old, StateKey.MEMBER, (userId, content) -> {
            if ("ban".equals(content.path("membership").asText())) {
                copy(upgrader, newRoomId, StateKey.MEMBER, userId, content);
            }
        });
        return newRoomId;
    }

    /**
     * The old room's power levels in the new room, the upgrader no longer raised (Synapse's
     * {@code _update_upgraded_room_pls}).
     */
    void restorePowerLevels(Requester upgrader, Old old, String newRoomId, RoomVersion version,
                            List<String> creators) {
        if (old.levels().isEmpty()) {
            return;
        }
        ObjectNode levels = version.auth().creatorsHaveInfinitePower()
                ? UpgradePowerLevels.withoutCreators(old.levels(), creators) : old.levels();
        actions.sendState(newRoomId, upgrader.userId(), StateKey.POWER_LEVELS, "", levels);
    }

    private static ObjectNode createContent(String upgrader, Old old, RoomVersion version, String tombstoneId,
                                            List<String> creators) {
        ObjectNode content = JSON.objectNode();
        content.put("room_version", version.id());
        ObjectNode predecessor = content.putObject("predecessor").put("room_id", old.roomId());
        if (tombstoneId != null) {
            predecessor.put("event_id", tombstoneId);
        }
        if (version.auth().createNeedsCreator()) {
            content.put("creator", upgrader);
        }
        JsonNode type = old.create().content().get("type");
        if (type != null && type.isTextual()) {
            content.set("type", type);
        }
        JsonNode federate = old.create().content().get("m.federate");
        if (federate != null && federate.isBoolean() && !federate.booleanValue()) {
            content.put("m.federate", false);
        }
        if (version.auth().creatorsHaveInfinitePower() && creators.size() > 1) {
            Set<String> additional = new LinkedHashSet<>(creators);
            additional.remove(upgrader);
            additional.forEach(content.putArray("additional_creators")::add);
        }
        return content;
    }

    /** Sends one copied state event; one the new room's rules refuse is left out, as no reason to fail the upgrade. */
    private void copy(Requester upgrader, String roomId, String type, String stateKey, ObjectNode content) {
        try {
            actions.sendState(roomId, upgrader.userId(), type, stateKey, content.deepCopy());
        } catch (MatrixException refused) {
            LOG.warn("Upgrade to {}: {} ({}) not copied: {}", roomId, type, stateKey, refused.getMessage());
        }
    }

    private ObjectNode contentOf(Old old, StateKey key) {
        String id = old.state().get(key);
        Pdu event = id == null ? null : events.get(id);
        return event == null ? null : event.content();
    }

    private interface StateVisitor {
        void visit(String stateKey, ObjectNode content);
    }

    private void forEachOfType(Old old, String type, StateVisitor visitor) {
        List<StateKey> keys = new ArrayList<>();
        old.state().keySet().forEach(key -> {
            if (key.type().equals(type)) {
                keys.add(key);
            }
        });
        keys.sort(java.util.Comparator.comparing(StateKey::stateKey));
        for (StateKey key : keys) {
            ObjectNode content = contentOf(old, key);
            if (content != null) {
                visitor.visit(key.stateKey(), content);
            }
        }
    }
}
