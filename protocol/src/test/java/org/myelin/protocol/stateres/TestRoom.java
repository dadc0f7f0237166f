package org.myelin.protocol.stateres;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.auth.AuthState;
import org.myelin.protocol.auth.EventAuth;
import org.myelin.protocol.auth.SignatureCheck;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A room of real events for state resolution tests: built, hashed and signed by each sender's
 * server, with the auth events the auth events selection picks from the state of the branch
 * they are sent on, and checked by the authorisation rules against that state (a test cannot
 * build a branch the rules would not have allowed).
 *
 * <p>{@link #create} makes the create event, the creator's join, power levels (the creator at
 * 100, but for room version 12, where creators are above power levels) and public join rules on
 * the {@link #main()} branch. {@link Branch#fork()} copies a branch; the state after each branch
 * is {@link Branch#state()}. {@code origin_server_ts} counts up by one per event unless a test
 * sets it with {@link Branch#at(long)}.
 */
final class TestRoom implements EventSource {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final RoomVersion version;
    private final Map<String, Pdu> events = new HashMap<>();
    private final Map<String, SigningKey> keys = new HashMap<>();
    private final Set<String> rejected = new HashSet<>();
    private final Branch main = new Branch(new HashMap<>(), List.of(), 0);
    private String roomId;
    private String creator;
    private long clock = 1_000;
    private int counter;

    private TestRoom(RoomVersion version) {
        this.version = version;
    }

    /** A room of {@code version} created by {@code creator}, who has joined and set the defaults. */
    static TestRoom create(RoomVersion version, String creator) {
        TestRoom room = new TestRoom(version);
        room.creator = creator;
        ObjectNode content = JSON.objectNode().put("room_version", version.id());
        if (!version.auth().creatorIsCreateSender()) {
            content.put("creator", creator);
        }
        if (!version.auth().roomIdIsCreateEventHash()) {
            room.roomId = "!room:" + Pdu.domainOf(creator);
        }
        Pdu create = room.main.send(StateKey.CREATE, "", creator, content);
        if (room.roomId == null) {
            room.roomId = EventIds.roomIdOfCreateEvent(create.eventId());
        }
        room.main.join(creator);
        room.main.powerLevels(creator, Map.of(creator, 100));
        room.main.joinRules(creator, "public");
        return room;
    }

    RoomVersion version() {
        return version;
    }

    Branch main() {
        return main;
    }

    @Override
    public Pdu get(String eventId) {
        return events.get(eventId);
    }

    @Override
    public boolean isRejected(String eventId) {
        return rejected.contains(eventId);
    }

    /** Marks an event as rejected on receipt (for tests of how rejected auth events are skipped). */
    void reject(String eventId) {
        rejected.add(eventId);
    }

    /** Every event of the room, by id. */
    Map<String, Pdu> events() {
        return Map.copyOf(events);
    }

    /** The resolution of the states after the given branches by the standard rules. */
    Map<StateKey, String> resolve(Branch... branches) {
        List<Map<StateKey, String>> states = new ArrayList<>();
        for (Branch branch : branches) {
            states.add(branch.state());
        }
        return StateResolver.resolve(version, states, this);
    }

    private SigningKey keyOf(String server) {
        return keys.computeIfAbsent(server, s -> SigningKey.fromSeed("1", sha256(s)));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode membership(String membership) {
        return JSON.objectNode().put("membership", membership);
    }

    /** One line of the room's history: its state and forward extremities. */
    final class Branch {

        private final Map<StateKey, String> state;
        private List<String> heads;
        private long depth;
        private Long nextTs;

        private Branch(Map<StateKey, String> state, List<String> heads, long depth) {
            this.state = state;
            this.heads = heads;
            this.depth = depth;
        }

        /** A new branch from here: same state and extremities. */
        Branch fork() {
            return new Branch(new HashMap<>(state), heads, depth);
        }

        /** A branch continuing from this one and {@code other}, in the state {@code resolved}. */
        Branch merge(Branch other, Map<StateKey, String> resolved) {
            List<String> both = new ArrayList<>(heads);
            both.addAll(other.heads);
            return new Branch(new HashMap<>(resolved), both, Math.max(depth, other.depth));
        }

        /** The state after this branch. */
        Map<StateKey, String> state() {
            return Map.copyOf(state);
        }

        /** Sends the next event with this {@code origin_server_ts}. */
        Branch at(long originServerTs) {
            this.nextTs = originServerTs;
            return this;
        }

        Pdu join(String user) {
            return send(StateKey.MEMBER, user, user, membership("join"));
        }

        Pdu invite(String sender, String target) {
            return send(StateKey.MEMBER, target, sender, membership("invite"));
        }

        Pdu leave(String user) {
            return send(StateKey.MEMBER, user, user, membership("leave"));
        }

        Pdu kick(String sender, String target) {
            return send(StateKey.MEMBER, target, sender, membership("leave"));
        }

        Pdu ban(String sender, String target) {
            return send(StateKey.MEMBER, target, sender, membership("ban"));
        }

        /**
         * Power levels with these {@code users} and the spec's defaults for everything else. In
         * room version 12 the creator, whose power is infinite, is left out of {@code users}.
         */
        Pdu powerLevels(String sender, Map<String, Integer> users) {
            ObjectNode content = JSON.objectNode();
            ObjectNode userLevels = content.putObject("users");
            users.forEach((user, level) -> {
                if (!(version.auth().creatorsHaveInfinitePower() && user.equals(creator))) {
                    userLevels.put(user, level);
                }
            });
            return send(StateKey.POWER_LEVELS, "", sender, content);
        }

        Pdu joinRules(String sender, String rule) {
            return send(StateKey.JOIN_RULES, "", sender, JSON.objectNode().put("join_rule", rule));
        }

        Pdu topic(String sender, String topic) {
            return send("m.room.topic", "", sender, JSON.objectNode().put("topic", topic));
        }

        /** Builds, signs and appends a state event the rules allow on this branch. */
        Pdu send(String type, String stateKey, String sender, ObjectNode content) {
            String server = Pdu.domainOf(sender);
            EventBuilder builder = EventBuilder.in(version, roomId)
                    .type(type).stateKey(stateKey).sender(sender).content(content)
                    .prevEvents(heads).authEvents(authEventsFor(type, stateKey, sender, content))
                    .depth(depth + 1).originServerTs(nextTs != null ? nextTs : clock++);
            if (!version.eventFormat().eventIdIsHash()) {
                builder.eventId("$" + ++counter + ":" + server);
            }
            nextTs = null;
            Pdu event = builder.build(server, keyOf(server));
            checkAllowed(event);
            events.put(event.eventId(), event);
            state.put(new StateKey(type, stateKey), event.eventId());
            heads = List.of(event.eventId());
            depth++;
            return event;
        }

        private List<String> authEventsFor(String type, String stateKey, String sender, ObjectNode content) {
            List<String> auth = new ArrayList<>();
            for (StateKey key : AuthEventsSelection.requiredFor(type, stateKey, sender, content, version)) {
                String id = state.get(key);
                if (id != null) {
                    auth.add(id);
                }
            }
            return auth;
        }

        private void checkAllowed(Pdu event) {
            Map<StateKey, Pdu> authState = new HashMap<>();
            Set<StateKey> keys = new HashSet<>(AuthEventsSelection.requiredFor(event));
            keys.add(StateKey.create());
            for (StateKey key : keys) {
                String id = state.get(key);
                if (id != null) {
                    authState.put(key, events.get(id));
                }
            }
            AuthResult result = EventAuth.check(event, AuthState.of(authState), SignatureCheck.verifiedOnReceipt());
            if (!result.isAllowed()) {
                throw new IllegalStateException("the test sends " + event + ", which the rules reject: " + result);
            }
        }
    }
}
