package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-server API, "Auth events selection". */
class AuthEventsSelectionTest {

    static ObjectNode json(String s) {
        return MatrixJson.parseObject(s.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.STRICT_INTEGERS);
    }

    @Test
    void createEventHasNoAuthEvents() {
        assertTrue(AuthEventsSelection.requiredFor("m.room.create", "", "@a:x", json("{}"), RoomVersions.V11).isEmpty());
    }

    @Test
    void messageNeedsCreatePowerLevelsAndSenderBeforeV12() {
        assertEquals(List.of(StateKey.create(), StateKey.powerLevels(), StateKey.member("@a:x")),
                List.copyOf(AuthEventsSelection.requiredFor("m.room.message", null, "@a:x", json("{}"), RoomVersions.V11)));
    }

    @Test
    void v12NeverSelectsTheCreateEvent() {
        assertEquals(Set.of(StateKey.powerLevels(), StateKey.member("@a:x")),
                AuthEventsSelection.requiredFor("m.room.message", null, "@a:x", json("{}"), RoomVersions.V12));
    }

    @Test
    void inviteSelectsJoinRulesTargetAndThirdPartyInvite() {
        Set<StateKey> keys = AuthEventsSelection.requiredFor("m.room.member", "@b:y", "@a:x",
                json("{\"membership\": \"invite\", \"third_party_invite\": {\"signed\": {\"token\": \"tok\"}}}"),
                RoomVersions.V10);
        assertEquals(Set.of(StateKey.create(), StateKey.powerLevels(), StateKey.member("@a:x"), StateKey.member("@b:y"),
                StateKey.joinRules(), StateKey.of(StateKey.THIRD_PARTY_INVITE, "tok")), keys);
    }

    @Test
    void leaveSelectsNoJoinRules() {
        Set<StateKey> keys = AuthEventsSelection.requiredFor("m.room.member", "@b:y", "@a:x",
                json("{\"membership\": \"leave\"}"), RoomVersions.V10);
        assertEquals(Set.of(StateKey.create(), StateKey.powerLevels(), StateKey.member("@a:x"), StateKey.member("@b:y")), keys);
    }

    @Test
    void restrictedJoinSelectsTheAuthorisingUserFromV8Only() {
        ObjectNode content = json("{\"membership\": \"join\", \"join_authorised_via_users_server\": \"@c:z\"}");
        assertTrue(AuthEventsSelection.requiredFor("m.room.member", "@b:y", "@b:y", content, RoomVersions.V8)
                .contains(StateKey.member("@c:z")));
        assertEquals(4, AuthEventsSelection.requiredFor("m.room.member", "@b:y", "@b:y", content, RoomVersions.V7).size());
    }

    @Test
    void knockSelectsJoinRules() {
        assertTrue(AuthEventsSelection.requiredFor("m.room.member", "@b:y", "@b:y", json("{\"membership\": \"knock\"}"),
                RoomVersions.V7).contains(StateKey.joinRules()));
    }
}
