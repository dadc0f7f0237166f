package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientEventFormatTest {

    static final SigningKey KEY = SigningKey.fromSeed("t", new byte[32]);
    static final String ROOM = "!room:example.org";
    static final String PREV = "$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    static Pdu event(RoomVersion version, String type, String stateKey, ObjectNode content, String redacts) {
        return EventBuilder.in(version, ROOM).type(type).stateKey(stateKey).sender("@alice:example.org")
                .content(content).redacts(redacts).prevEvents(List.of(PREV)).authEvents(List.of(PREV)).depth(5)
                .originServerTs(1_000).eventId(version.eventFormat().eventIdIsHash() ? null : "$e1:example.org")
                .build("example.org", KEY);
    }

    static ObjectNode content(String key, String value) {
        return JsonNodeFactory.instance.objectNode().put(key, value);
    }

    @Test
    void keepsTheClientFieldsOnly() {
        Pdu message = event(RoomVersions.V12, "m.room.message", null, content("body", "hi"), null);
        ObjectNode json = ClientEventFormat.format(message, ClientEventFormat.Extras.NONE, 1_250);
        assertEquals(List.of("content", "event_id", "origin_server_ts", "room_id", "sender", "type", "unsigned"),
                fieldNames(json));
        assertEquals("hi", json.path("content").path("body").asText());
        assertEquals(250, json.path("unsigned").path("age").asLong());
        assertFalse(json.path("unsigned").has("transaction_id"));
    }

    @Test
    void stateEventsCarryWhatTheyReplaced() {
        Pdu old = event(RoomVersions.V12, "m.room.topic", "", content("topic", "old"), null);
        Pdu topic = event(RoomVersions.V12, "m.room.topic", "", content("topic", "new"), null);
        ObjectNode json = ClientEventFormat.format(topic, new ClientEventFormat.Extras(null, old, "txn"), 2_000);
        assertEquals("", json.path("state_key").asText());
        assertEquals("old", json.path("unsigned").path("prev_content").path("topic").asText());
        assertEquals("@alice:example.org", json.path("unsigned").path("prev_sender").asText());
        assertEquals(old.eventId(), json.path("unsigned").path("replaces_state").asText());
        assertEquals("txn", json.path("unsigned").path("transaction_id").asText());
    }

    @Test
    void redactedEventsLoseTheirContentAndSayWhy() {
        Pdu member = event(RoomVersions.V10, "m.room.member", "@alice:example.org",
                content("membership", "join").put("displayname", "Alice"), null);
        Pdu previous = event(RoomVersions.V10, "m.room.member", "@alice:example.org", content("membership", "invite"), null);
        ObjectNode because = JsonNodeFactory.instance.objectNode().put("event_id", "$r:example.org");
        ObjectNode json = ClientEventFormat.format(member, new ClientEventFormat.Extras(because, previous, null), 1_000);
        assertEquals("join", json.path("content").path("membership").asText(), "the redaction algorithm keeps membership");
        assertFalse(json.path("content").has("displayname"));
        assertEquals("$r:example.org", json.path("unsigned").path("redacted_because").path("event_id").asText());
        assertFalse(json.path("unsigned").has("prev_content"));
        assertTrue(json.path("unsigned").has("replaces_state"));
    }

    @Test
    void redactionsNameTheirTargetAtTopLevelInEveryVersion() {
        Pdu v10 = event(RoomVersions.V10, "m.room.redaction", null, content("reason", "spam"), "$target:example.org");
        assertEquals("$target:example.org", ClientEventFormat.format(v10, ClientEventFormat.Extras.NONE, 0)
                .path("redacts").asText());
        Pdu v11 = event(RoomVersions.V11, "m.room.redaction", null, content("reason", "spam"), PREV);
        ObjectNode json = ClientEventFormat.format(v11, ClientEventFormat.Extras.NONE, 0);
        assertEquals(PREV, json.path("redacts").asText());
        assertEquals(PREV, json.path("content").path("redacts").asText());
    }

    static List<String> fieldNames(ObjectNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        names.sort(String::compareTo);
        return names;
    }
}
