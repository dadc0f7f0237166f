package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.Prepared;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RoomAliases;
import org.myelin.server.client.push.PushRules;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code POST /_matrix/client/v3/rooms/{roomId}/upgrade} (client-server API, "Room Upgrades",
 * server behaviour), in Synapse's order: check that the upgrader may send {@code m.room.tombstone};
 * build the tombstone (to name it in the new room's {@code predecessor}; from version 12, where
 * the new room's id is its create event's, the new room comes first and its predecessor names no
 * event); make the {@link ReplacementRoom}; send the tombstone; move this server's aliases and the
 * canonical alias; copy local members' tags, direct-chat entries and push rules for the room
 * ({@link UserStateTransfer}); move the room's directory listing; restrict the old room's power
 * levels and give the new room the old levels back.
 *
 * <p>One upgrade of a room at a time: while it runs, and for five minutes after (as Synapse's
 * response cache), the same user asking again gets the same replacement room, another user 400.
 */
public final class RoomUpgrades {

    private static final Logger LOG = LoggerFactory.getLogger(RoomUpgrades.class);
    private static final Duration ANSWER_KEPT = Duration.ofMinutes(5);

    /** What an upgrade uses. */
    public record Parts(RoomActions actions, RoomAccess access, RoomAliases aliases, RoomEventPipeline pipeline,
                        EventCache events, MembershipRepository memberships, RoomDirectoryRepository directory,
                        LocalServer local, Clock clock, Supplier<String> newRoomId) {
    }

    /** An upgrade of a room, by whom, and its replacement room once made. */
    private record Running(String userId, CompletableFuture<String> replacement) {
    }

    private final Parts parts;
    private final ReplacementRoom replacement;
    private final UserStateTransfer userState;
    private final Cache<String, Running> upgrades = Caffeine.newBuilder().recordStats().expireAfterWrite(ANSWER_KEPT)
            .maximumSize(10_000).build();

    /**
     * @param joins       how the upgrader joins the new room
     * @param pushRules   members' push rules, copied for the new room
     * @param accountData members' tags and {@code m.direct}, copied for the new room
     */
    public RoomUpgrades(Parts parts, Memberships joins, PushRules pushRules, AccountData accountData) {
        this.parts = parts;
        this.replacement = new ReplacementRoom(parts.actions(), joins, parts.events());
        this.userState = new UserStateTransfer(pushRules, accountData);
    }

    /** Upgrades the room to {@code request.newVersion()}; returns the replacement room's id. */
    public String upgrade(Requester requester, String roomId, UpgradeRequest request) {
        RoomVersion version = RoomVersions.find(request.newVersion()).orElseThrow(() -> MatrixException.of(
                ErrCode.M_UNSUPPORTED_ROOM_VERSION, "This server does not support room version " + request.newVersion()));
        parts.access().head(roomId);
        Running mine = new Running(requester.userId(), new CompletableFuture<>());
        Running running = upgrades.asMap().putIfAbsent(roomId, mine);
        if (running != null) {
            if (!running.userId().equals(requester.userId())) {
                throw MatrixException.unknownBadRequest("An upgrade for this room is currently in progress");
            }
            return await(running);
        }
        try {
            String replacementRoom = replace(requester, roomId, version, creators(requester, version, request));
            mine.replacement().complete(replacementRoom);
            return replacementRoom;
        } catch (RuntimeException | Error e) {
            upgrades.asMap().remove(roomId, mine);
            mine.replacement().completeExceptionally(e);
            throw e;
        }
    }

    private String replace(Requester requester, String roomId, RoomVersion version, List<String> creators) {
        String userId = requester.userId();
        if (!parts.access().canSendState(roomId, userId, "m.room.tombstone")) {
            throw MatrixException.forbidden("You cannot upgrade this room");
        }
        RoomHead head = parts.access().head(roomId);
        Map<StateKey, String> state = head.currentState();
        ReplacementRoom.Old old = new ReplacementRoom.Old(roomId, state, event(state, StateKey.CREATE),
                UpgradePowerLevels.fixedUp(contentOf(event(state, StateKey.POWER_LEVELS))));
        String newRoomId;
        if (version.auth().roomIdIsCreateEventHash()) {
            newRoomId = replacement.create(requester, old, version, null, null, creators);
            parts.actions().sendState(roomId, userId, "m.room.tombstone", "", tombstone(newRoomId));
        } else {
            String id = parts.newRoomId().get();
            Pdu tombstone = switch (parts.pipeline().prepare(Input.LocalEvent.state(roomId, userId, "m.room.tombstone",
                    "", tombstone(id)))) {
                case Prepared.Refused refused -> throw MatrixException.forbidden(refused.rejected().reason());
                case Prepared.Ready ready -> ready.pdu();
            };
            newRoomId = replacement.create(requester, old, version, id, tombstone.eventId(), creators);
            // Built on the old room's head before the new room was made; committed as events built
            // elsewhere are, on whatever the old room has become meanwhile.
            Outcome sent = parts.pipeline().submit(new Input.RemoteEvent(tombstone, parts.local().serverName()));
            if (!sent.isAccepted()) {
                LOG.warn("Upgrade of {}: the tombstone was not accepted: {}", roomId, sent);
            }
        }
        parts.aliases().moveToReplacement(userId, roomId, newRoomId, event(state, "m.room.canonical_alias"));
        userState.copy(localJoined(roomId), roomId, newRoomId);
        if (RoomDirectoryRepository.PUBLIC.equals(parts.directory().visibility(roomId))) {
            parts.directory().setVisibility(roomId, RoomDirectoryRepository.PRIVATE, parts.clock().millis());
            parts.directory().setVisibility(newRoomId, RoomDirectoryRepository.PUBLIC, parts.clock().millis());
        }
        UpgradePowerLevels.restricted(old.levels()).ifPresent(levels -> {
            try {
                parts.actions().sendState(roomId, userId, StateKey.POWER_LEVELS, "", levels);
            } catch (MatrixException refused) {
                LOG.warn("Upgrade of {}: its power levels not restricted: {}", roomId, refused.getMessage());
            }
        });
        replacement.restorePowerLevels(requester, old, newRoomId, version, creators);
        return newRoomId;
    }

    /** The upgrader, then the {@code additional_creators} where the new version has creators. */
    private static List<String> creators(Requester requester, RoomVersion version, UpgradeRequest request) {
        List<String> creators = new ArrayList<>();
        creators.add(requester.userId());
        if (version.auth().creatorsHaveInfinitePower()) {
            request.additionalCreators().stream().filter(u -> !creators.contains(u)).forEach(creators::add);
        }
        return List.copyOf(creators);
    }

    private List<String> localJoined(String roomId) {
        return parts.memberships().members(roomId, "join").stream().map(MembershipRepository.Membership::userId)
                .filter(parts.local()::isLocalUser).toList();
    }

    private static ObjectNode tombstone(String replacementRoom) {
        return JsonNodeFactory.instance.objectNode().put("body", "This room has been replaced")
                .put("replacement_room", replacementRoom);
    }

    private Pdu event(Map<StateKey, String> state, String type) {
        String id = state.get(StateKey.of(type, ""));
        return id == null ? null : parts.events().get(id);
    }

    private static ObjectNode contentOf(Pdu event) {
        return event == null ? null : event.content();
    }

    private static String await(Running running) {
        try {
            return running.replacement().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("room_upgrades", upgrades);
    }
}
