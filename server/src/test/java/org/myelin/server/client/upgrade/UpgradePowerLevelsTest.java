package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The power levels a room upgrade writes in the new room and the old. */
class UpgradePowerLevelsTest {

    @Test
    void levelsAreCopiedAsIntegers() {
        ObjectNode fixed = UpgradePowerLevels.fixedUp(json("{\"ban\":\"50\",\"kick\":40,\"redact\":\"lots\","
                + "\"users\":{\"@a:x\":\"100\",\"@b:x\":{}},\"events\":{\"m.room.name\":50},\"other\":[1]}"));
        assertEquals(json("{\"ban\":50,\"kick\":40,\"users\":{\"@a:x\":100},\"events\":{\"m.room.name\":50}}").toString(),
                fixed.toString());
    }

    @Test
    void theUpgraderIsRaisedToTheMostDemandingStateLevelOnlyIfBelowIt() {
        ObjectNode levels = json("{\"state_default\":50,\"ban\":50,\"events\":{\"m.room.history_visibility\":100},"
                + "\"users\":{\"@low:x\":60,\"@high:x\":120}}");
        assertEquals(100, UpgradePowerLevels.raisedFor(levels, "@low:x").path("users").path("@low:x").asInt());
        assertEquals(120, UpgradePowerLevels.raisedFor(levels, "@high:x").path("users").path("@high:x").asInt());
        assertEquals(100, UpgradePowerLevels.raisedFor(levels, "@absent:x").path("users").path("@absent:x").asInt());
        assertEquals(60, levels.path("users").path("@low:x").asInt(), "the given levels are left alone");
    }

    @Test
    void creatorsLeaveTheUsers() {
        ObjectNode levels = json("{\"users\":{\"@a:x\":100,\"@b:x\":100,\"@c:x\":50}}");
        assertEquals(json("{\"users\":{\"@c:x\":50}}"), UpgradePowerLevels.withoutCreators(levels, List.of("@a:x", "@b:x")));
    }

    @Test
    void theOldRoomIsRestrictedToModeratorsOrAboveTheDefault() {
        assertEquals(Optional.of(json("{\"events_default\":50,\"invite\":50}").toString()),
                UpgradePowerLevels.restricted(json("{\"events_default\":0,\"invite\":0}")).map(ObjectNode::toString));
        ObjectNode highDefault = UpgradePowerLevels.restricted(json("{\"users_default\":60}")).orElseThrow();
        assertEquals(61, highDefault.path("invite").asInt());
        assertEquals(61, highDefault.path("events_default").asInt());
        assertFalse(UpgradePowerLevels.restricted(json("{\"events_default\":50,\"invite\":70}")).isPresent());
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
