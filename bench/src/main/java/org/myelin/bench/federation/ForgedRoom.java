package org.myelin.bench.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.head.RoomHead;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A room on a homeserver as a fake remote server sees it after joining it through the real
 * handshake ({@code make_join}, then {@code send_join} v2): its version, its current state (from
 * the send_join answer), and the head of a linear chain of events that the fake server forges on
 * top, each correctly hashed and signed, with the auth events the rules select.
 */
final class ForgedRoom {

    final String roomId;
    final RoomVersion version;
    private final FakeRemoteServer fake;
    private final Map<StateKey, String> state = new HashMap<>();
    private String head;
    private long depth;

    private ForgedRoom(FakeRemoteServer fake, String roomId, RoomVersion version) {
        this.fake = fake;
        this.roomId = roomId;
        this.version = version;
    }

    /** {@code userId} (of {@code fake}) joins {@code roomId} on {@code hs} through make_join and send_join. */
    static ForgedRoom join(FakeRemoteServer fake, TestHomeserver hs, String roomId, String userId) {
        JsonNode template = ok(fake.request(hs, "GET", "/_matrix/federation/v1/make_join/" + ClientApi.enc(roomId) + "/"
                + ClientApi.enc(userId) + "?ver=12&ver=11&ver=10", null));
        RoomVersion version = RoomVersions.find(template.path("room_version").asText()).orElseThrow();
        ObjectNode event = ((ObjectNode) template.path("event")).deepCopy();
        event.put("origin_server_ts", System.currentTimeMillis());
        Pdu join = fake.resign(event, version);
        JsonNode answer = ok(fake.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + ClientApi.enc(roomId) + "/"
                + ClientApi.enc(join.eventId()), join.json()));
        ForgedRoom room = new ForgedRoom(fake, roomId, version);
        long maxDepth = join.depth();
        for (JsonNode e : answer.path("state")) {
            Pdu p = Pdu.parse((ObjectNode) e, version);
            p.stateEntry().ifPresent(k -> room.state.put(k, p.eventId()));
            maxDepth = Math.max(maxDepth, p.depth());
        }
        room.state.put(StateKey.member(userId), join.eventId());
        room.head = join.eventId();
        room.depth = maxDepth;
        return room;
    }

    /** The next event of the chain, sent by {@code sender} (a user of the fake server). */
    Pdu next(String sender, String type, String stateKey, ObjectNode content) {
        Pdu pdu = on(List.of(head), ++depth, sender, type, stateKey, content);
        head = pdu.eventId();
        pdu.stateEntry().ifPresent(k -> state.put(k, pdu.eventId()));
        return pdu;
    }

    /**
     * An event on {@code prevs} at {@code depth}, with the auth events the chain's state selects,
     * off the chain: it moves neither the head nor the state.
     */
    Pdu on(List<String> prevs, long depth, String sender, String type, String stateKey, ObjectNode content) {
        List<String> auth = new ArrayList<>();
        for (StateKey k : AuthEventsSelection.requiredFor(type, stateKey, sender, content, version)) {
            String id = state.get(k);
            if (id != null) {
                auth.add(id);
            }
        }
        return fake.event(version, roomId, sender, type, stateKey, content, prevs, auth, depth);
    }

    /**
     * Takes {@code hs}'s view of the room (its head, single extremity, and current state) as the
     * chain's, after events the fake server did not forge (a local user's power-level change).
     */
    void follow(TestHomeserver hs) {
        RoomHead now = hs.homeserver().rooms().heads.get(roomId).orElseThrow();
        if (now.forwardExtremities().size() != 1) {
            throw new IllegalStateException("the room has " + now.forwardExtremities().size() + " extremities");
        }
        state.clear();
        state.putAll(now.currentState());
        head = now.forwardExtremities().getFirst();
        depth = now.maxDepth();
    }

    /** Makes {@code pdu} available from the fake server ({@code /event}, {@code /get_missing_events}). */
    void serve(Pdu pdu) {
        fake.serve(pdu);
    }

    String head() {
        return head;
    }

    long depth() {
        return depth;
    }

    String stateOf(StateKey key) {
        return state.get(key);
    }

    Pdu message(String sender, String body) {
        return next(sender, "m.room.message", null,
                ClientApi.JSON.createObjectNode().put("msgtype", "m.text").put("body", body));
    }

    Pdu join(String userId) {
        return next(userId, "m.room.member", userId, ClientApi.JSON.createObjectNode().put("membership", "join"));
    }

    private static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " -> "
                    + response.statusCode() + " " + response.body());
        }
        try {
            return ClientApi.JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }
}
