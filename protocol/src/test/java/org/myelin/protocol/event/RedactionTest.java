package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The redaction algorithm of each room version (rooms/v1 "Redactions" fragment, v6, v8 inline, v9, v11):
 * which content keys of each event type survive, and which top-level keys.
 */
class RedactionTest {

    private static ObjectNode event(String type, String content) {
        String json = "{\"type\":\"" + type + "\",\"room_id\":\"!r:x\",\"sender\":\"@u:x\",\"state_key\":\"\","
                + "\"content\":" + content + ",\"depth\":1,\"origin_server_ts\":1,\"prev_events\":[],"
                + "\"auth_events\":[],\"hashes\":{\"sha256\":\"h\"},\"signatures\":{},\"unsigned\":{\"age\":1},"
                + "\"origin\":\"x\",\"membership\":\"join\",\"prev_state\":[],\"event_id\":\"$e:x\",\"other\":1}";
        return MatrixJson.parseObject(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
    }

    private static Set<String> keys(ObjectNode node) {
        Set<String> keys = new TreeSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static Set<String> split(String list) {
        return list == null || list.isBlank() ? new TreeSet<>() : new TreeSet<>(Arrays.asList(list.trim().split(" ")));
    }

    @ParameterizedTest(name = "v{0} {1} keeps [{3}]")
    @CsvSource(delimiter = '|', textBlock = """
        1  | m.room.member             | {"membership":"join","displayname":"x","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{},"x":1}} | membership
        8  | m.room.member             | {"membership":"join","displayname":"x","join_authorised_via_users_server":"@a:x"} | membership
        9  | m.room.member             | {"membership":"join","displayname":"x","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{},"x":1}} | membership join_authorised_via_users_server
        11 | m.room.member             | {"membership":"join","displayname":"x","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{},"x":1}} | membership join_authorised_via_users_server third_party_invite
        1  | m.room.create             | {"creator":"@u:x","room_version":"1","m.federate":false} | creator
        10 | m.room.create             | {"creator":"@u:x","room_version":"10","m.federate":false} | creator
        11 | m.room.create             | {"room_version":"11","m.federate":false,"anything":1} | anything m.federate room_version
        12 | m.room.create             | {"room_version":"12","additional_creators":["@b:x"]} | additional_creators room_version
        7  | m.room.join_rules         | {"join_rule":"restricted","allow":[]} | join_rule
        8  | m.room.join_rules         | {"join_rule":"restricted","allow":[]} | allow join_rule
        1  | m.room.power_levels       | {"ban":50,"events":{},"events_default":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0,"invite":0,"notifications":{}} | ban events events_default kick redact state_default users users_default
        11 | m.room.power_levels       | {"ban":50,"events":{},"events_default":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0,"invite":0,"notifications":{}} | ban events events_default invite kick redact state_default users users_default
        5  | m.room.aliases            | {"aliases":["#a:x"]} | aliases
        6  | m.room.aliases            | {"aliases":["#a:x"]} | 
        1  | m.room.history_visibility | {"history_visibility":"shared","x":1} | history_visibility
        10 | m.room.redaction          | {"redacts":"$e:x","reason":"spam"} | 
        11 | m.room.redaction          | {"redacts":"$e:x","reason":"spam"} | redacts
        12 | m.room.message            | {"body":"hello","msgtype":"m.text"} | 
        """)
    void keepsTheContentKeysOfItsVersion(String version, String type, String content, String kept) {
        RoomVersion v = RoomVersions.find(version).orElseThrow();
        ObjectNode redacted = Redaction.redact(event(type, content), v.redaction());
        assertEquals(split(kept), keys((ObjectNode) redacted.get("content")));
    }

    @ParameterizedTest(name = "v{0}")
    @CsvSource({"1", "5", "6", "9", "10", "11", "12"})
    void keepsTheTopLevelKeysOfItsVersion(String version) {
        RoomVersion v = RoomVersions.find(version).orElseThrow();
        ObjectNode redacted = Redaction.redact(event("m.room.message", "{\"body\":\"x\"}"), v.redaction());
        List<String> expected = new ArrayList<>(List.of("auth_events", "content", "depth", "event_id", "hashes",
                "origin_server_ts", "prev_events", "room_id", "sender", "signatures", "state_key", "type"));
        if (Integer.parseInt(version) < 11) {
            expected.addAll(List.of("membership", "origin", "prev_state"));
        }
        assertEquals(new TreeSet<>(expected), keys(redacted));
    }

    @ParameterizedTest(name = "v{0}")
    @CsvSource({"1", "11"})
    void keepsOnlySignedOfAThirdPartyInvite(String version) {
        RoomVersion v = RoomVersions.find(version).orElseThrow();
        ObjectNode redacted = Redaction.redact(event("m.room.member",
                "{\"membership\":\"invite\",\"third_party_invite\":{\"display_name\":\"a\",\"signed\":{\"mxid\":\"@u:x\"}}}"),
                v.redaction());
        String expected = version.equals("11")
                ? "{\"membership\":\"invite\",\"third_party_invite\":{\"signed\":{\"mxid\":\"@u:x\"}}}"
                : "{\"membership\":\"invite\"}";
        assertEquals(expected, org.myelin.protocol.json.CanonicalJson.encodeToString(redacted.get("content")));
    }
}
