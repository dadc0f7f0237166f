package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the events of one fixture case into a room of one version: fills in room id, event
 * id (v1-v2), prev and auth events, depth and timestamp, hashes, and signs each with the test
 * key of its sender's server (and of {@code signed_by} servers).
 *
 * <p>Compact event fields beyond the event's own: {@code name} (to refer to it; the create
 * event is {@code create} unless named), {@code prev}, {@code auth} (names; {@code create} is
 * dropped in v12, where no selection holds it, {@code create!} is kept), {@code redacts} (a
 * name), {@code signed_by} (more servers that sign), {@code event_id} (v1-v2), {@code room_id};
 * in the state list also {@code versions} (built only in those), {@code in_state: false} (built
 * but kept out of the state) and {@code forced} (need not pass the rules).
 * {@code {"member": user, "membership": m, ...}} is short for a membership event sent by
 * {@code user} (or {@code sender}). In content, {@code "$pubkey:server"} becomes the server's public key in
 * unpadded base64 ({@code $pubkey_urlsafe:} URL-safe) and an object with {@code "$sign": server}
 * is signed by that server's key.
 */
final class FixtureRoom {

    static final String DEFAULT_ROOM = "!room:a.test";

    private final RoomVersion version;
    private final Map<String, Pdu> named = new HashMap<>();
    private final Map<String, Pdu> byId = new HashMap<>();
    private final Map<StateKey, Pdu> state = new LinkedHashMap<>();
    private final List<Pdu> built = new ArrayList<>();
    private String roomId;

    FixtureRoom(RoomVersion version) {
        this.version = version;
        this.roomId = version.auth().roomIdIsCreateEventHash() ? "!unknown-room" : DEFAULT_ROOM;
    }

    Map<StateKey, Pdu> state() {
        return state;
    }

    Pdu named(String name) {
        Pdu event = named.get(name);
        if (event == null) {
            throw new IllegalArgumentException("no event named " + name);
        }
        return event;
    }

    Pdu byId(String id) {
        return byId.get(id);
    }

    /**
     * Builds a state-list event, unless its {@code versions} leave this version out. Its create
     * gets {@code creator} when the version needs one. Unless {@code forced}, it must pass the
     * rules against the state so far, so a fixture's history is one a room can have.
     */
    void addToState(ObjectNode compact) {
        ObjectNode c = expand(compact);
        if (c.has("versions") && !AuthFixtures.versions(c.get("versions").asText()).contains(version)) {
            return;
        }
        boolean isCreate = StateKey.CREATE.equals(c.path("type").asText()) && "".equals(c.path("state_key").asText(null));
        if (isCreate && version.auth().createNeedsCreator() && !c.path("content").has("creator")) {
            c.withObject("/content").put("creator", c.path("sender").asText());
        }
        Pdu event = build(c);
        if (isCreate && version.auth().roomIdIsCreateEventHash() && roomId.equals("!unknown-room")) {
            roomId = EventIds.roomIdOfCreateEvent(event.eventId());
        }
        if (!c.path("forced").asBoolean(false)) {
            AuthResult verdict = EventAuth.check(event, AuthState.of(state), AuthFixturesTest::isSignedBy);
            if (verdict instanceof AuthResult.Rejected rejected) {
                throw new IllegalStateException("fixture state event " + compact + " is rejected in v"
                        + version.id() + ": " + rejected + " (mark it \"forced\" if meant)");
            }
        }
        if (event.isState() && c.path("in_state").asBoolean(true)) {
            state.put(event.stateEntry().orElseThrow(), event);
        }
    }

    /** {@code {"member": user, "membership": m}} is short for that user's membership event. */
    static ObjectNode expand(ObjectNode compact) {
        ObjectNode c = compact.deepCopy();
        JsonNode member = c.remove("member");
        if (member != null) {
            c.put("type", StateKey.MEMBER);
            c.put("state_key", member.asText());
            if (!c.has("sender")) {
                c.put("sender", member.asText());
            }
            c.withObject("/content").put("membership", c.remove("membership").asText());
        }
        return c;
    }

    /** Builds an event as written, with no fields added. */
    Pdu build(ObjectNode compact) {
        ObjectNode c = expand(compact);
        String type = c.path("type").asText();
        String stateKey = c.hasNonNull("state_key") ? c.get("state_key").asText() : null;
        String sender = c.path("sender").asText();
        ObjectNode content = c.has("content") ? resolve(c.get("content").deepCopy()) : c.objectNode();
        boolean isV12Create = version.auth().roomIdIsCreateEventHash() && StateKey.CREATE.equals(type) && "".equals(stateKey);
        String room = c.has("room_id") ? c.get("room_id").asText() : isV12Create ? null : roomId;
        EventBuilder builder = EventBuilder.in(version, room)
                .type(type).stateKey(stateKey).sender(sender).content(content)
                .prevEvents(ids(c.get("prev"), built.isEmpty() ? List.of() : List.of(built.getLast().eventId()), false))
                .authEvents(ids(c.get("auth"), selectedAuthEvents(type, stateKey, sender, content), true))
                .depth(built.size() + 1)
                .originServerTs(1_000L * (built.size() + 1));
        if (c.has("redacts")) {
            builder.redacts(named(c.get("redacts").asText()).eventId());
        }
        if (!version.eventFormat().eventIdIsHash()) {
            builder.eventId(c.has("event_id") ? c.get("event_id").asText()
                    : "$" + (built.size() + 1) + ":" + Pdu.domainOf(sender));
        }
        String origin = Pdu.domainOf(sender);
        Pdu event = builder.build(origin, TestKeys.of(origin));
        for (JsonNode server : c.path("signed_by")) {
            ObjectNode signed = EventSigning.sign(event.jsonCopy(), version, server.asText(), TestKeys.of(server.asText()));
            event = Pdu.parse(signed, version);
        }
        built.add(event);
        byId.put(event.eventId(), event);
        String name = c.has("name") ? c.get("name").asText()
                : StateKey.CREATE.equals(type) && !named.containsKey("create") ? "create" : null;
        if (name != null) {
            named.put(name, event);
        }
        return event;
    }

    private List<String> selectedAuthEvents(String type, String stateKey, String sender, ObjectNode content) {
        Set<StateKey> keys = AuthEventsSelection.requiredFor(type, stateKey, sender, content, version);
        List<String> ids = new ArrayList<>();
        for (StateKey key : keys) {
            Pdu event = state.get(key);
            if (event != null) {
                ids.add(event.eventId());
            }
        }
        return ids;
    }

    private List<String> ids(JsonNode names, List<String> fallback, boolean auth) {
        if (names == null) {
            return fallback;
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode name : names) {
            // "create" is left out where the selection never holds it (v12); "create!" is not.
            if (auth && name.asText().equals("create") && version.auth().roomIdIsCreateEventHash()) {
                continue;
            }
            ids.add(named(name.asText().replace("!", "")).eventId());
        }
        return ids;
    }

    /** Replaces the {@code $pubkey} and {@code $sign} placeholders, innermost first. */
    private ObjectNode resolve(ObjectNode object) {
        for (Map.Entry<String, JsonNode> field : List.copyOf(object.properties())) {
            JsonNode value = field.getValue();
            if (value instanceof ObjectNode child) {
                object.set(field.getKey(), resolve(child));
            } else if (value instanceof ArrayNode array) {
                for (int i = 0; i < array.size(); i++) {
                    if (array.get(i) instanceof ObjectNode child) {
                        array.set(i, resolve(child));
                    } else if (array.get(i).isTextual()) {
                        array.set(i, resolveText(array.get(i).textValue()));
                    }
                }
            } else if (value.isTextual()) {
                object.set(field.getKey(), resolveText(value.textValue()));
            }
        }
        JsonNode signer = object.remove("$sign");
        if (signer != null) {
            return JsonSigning.sign(object, signer.asText(), TestKeys.of(signer.asText()));
        }
        return object;
    }

    private static JsonNode resolveText(String text) {
        if (text.startsWith("$pubkey:")) {
            return TextNode.valueOf(TestKeys.of(text.substring(8)).verifyKey().publicKeyBase64());
        }
        if (text.startsWith("$pubkey_urlsafe:")) {
            return TextNode.valueOf(UnpaddedBase64.encodeUrlSafe(TestKeys.of(text.substring(16)).verifyKey().publicKey()));
        }
        return TextNode.valueOf(text);
    }
}
