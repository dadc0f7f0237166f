package org.myelin.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.EventSource;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A room graph for benchmarks: a create event, power levels, public join rules and N joined
 * members in one linear chain, with helpers to fork it. Every event is really built, hashed and
 * signed, as in a live room.
 */
final class LargeRoom implements EventSource {

    static final String CREATOR = "@alice:a.example";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final RoomVersion version;
    private final SigningKey key = SigningKey.fromSeed("bench", new byte[32]);
    private final Map<String, Pdu> events = new HashMap<>();
    private String roomId;
    private long ts = 1_700_000_000_000L;

    /** One line of history: its state and its head. */
    final class Branch {
        final Map<StateKey, String> state;
        String head;
        long depth;

        Branch(Map<StateKey, String> state, String head, long depth) {
            this.state = new HashMap<>(state);
            this.head = head;
            this.depth = depth;
        }

        Branch fork() {
            return new Branch(state, head, depth);
        }

        Pdu send(String sender, String type, String stateKey, ObjectNode content) {
            List<String> auth = new ArrayList<>();
            for (StateKey k : AuthEventsSelection.requiredFor(type, stateKey, sender, content, version)) {
                String id = state.get(k);
                if (id != null) {
                    auth.add(id);
                }
            }
            Pdu pdu = EventBuilder.in(version, roomId).type(type).stateKey(stateKey).sender(sender).content(content)
                    .prevEvents(head == null ? List.of() : List.of(head)).authEvents(auth).depth(++depth)
                    .originServerTs(ts++).build(Pdu.domainOf(sender), key);
            if (roomId == null) {
                roomId = pdu.roomId();
            }
            events.put(pdu.eventId(), pdu);
            head = pdu.eventId();
            if (stateKey != null) {
                state.put(new StateKey(type, stateKey), pdu.eventId());
            }
            return pdu;
        }

        Pdu member(String sender, String target, String membership) {
            ObjectNode c = JSON.objectNode().put("membership", membership);
            return send(sender, "m.room.member", target, c);
        }
    }

    LargeRoom(RoomVersion version) {
        this.version = version;
    }

    /** The room with {@code members} joined users besides the creator. */
    Branch build(int members) {
        Branch main = new Branch(Map.of(), null, 0);
        main.send(CREATOR, "m.room.create", "", JSON.objectNode().put("room_version", version.id()));
        main.member(CREATOR, CREATOR, "join");
        ObjectNode pl = JSON.objectNode();
        pl.putObject("users").put("@mod:a.example", 50);
        main.send(CREATOR, "m.room.power_levels", "", pl);
        main.send(CREATOR, "m.room.join_rules", "", JSON.objectNode().put("join_rule", "public"));
        main.member("@mod:a.example", "@mod:a.example", "join");
        for (int i = 0; i < members; i++) {
            String user = "@user" + i + ":s" + (i % 50) + ".example";
            main.member(user, user, "join");
        }
        return main;
    }

    @Override
    public Pdu get(String eventId) {
        return events.get(eventId);
    }
}
