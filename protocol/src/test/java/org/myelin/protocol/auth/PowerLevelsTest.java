package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.AuthRuleSet;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Power levels as read from content: defaults, string and float values, creators. */
class PowerLevelsTest {

    static ObjectNode json(String s, MatrixJson.Numbers numbers) {
        return MatrixJson.parseObject(s.getBytes(StandardCharsets.UTF_8), numbers);
    }

    static PowerLevels levels(AuthRuleSet rules, String content, String... creators) {
        return PowerLevels.ofContent(rules, content == null ? null : json(content, MatrixJson.Numbers.LENIENT),
                Set.of(creators));
    }

    @Test
    void withoutPowerLevelsTheCreatorHas100AndOthers0() {
        PowerLevels levels = levels(AuthRuleSet.V11, null, "@alice:a.test");
        assertEquals(100, levels.userLevel("@alice:a.test"));
        assertEquals(0, levels.userLevel("@bob:b.test"));
        assertEquals(50, levels.eventLevel("m.room.topic", true));
        assertEquals(0, levels.eventLevel("m.room.message", false));
        assertEquals(50, levels.ban());
        assertEquals(50, levels.kick());
        assertEquals(50, levels.redact());
        assertEquals(0, levels.invite());
        assertEquals(50, levels.notificationLevel("room"));
        assertFalse(levels.hasPowerLevelsEvent());
    }

    @Test
    void v12CreatorsHaveInfinitePowerWithOrWithoutPowerLevels() {
        assertEquals(PowerLevels.INFINITE, levels(AuthRuleSet.V12, null, "@alice:a.test").userLevel("@alice:a.test"));
        PowerLevels levels = levels(AuthRuleSet.V12, "{\"users_default\": 10}", "@alice:a.test", "@bob:b.test");
        assertEquals(PowerLevels.INFINITE, levels.userLevel("@bob:b.test"));
        assertEquals(10, levels.userLevel("@carol:c.test"));
        assertEquals(0, levels(AuthRuleSet.V12, null, "@alice:a.test").userLevel("@carol:c.test"));
    }

    @Test
    void withPowerLevelsTheCreatorHasNoImplicitLevelBeforeV12() {
        PowerLevels levels = levels(AuthRuleSet.V11, "{\"users_default\": 5}", "@alice:a.test");
        assertEquals(5, levels.userLevel("@alice:a.test"));
    }

    @Test
    void eventsAndNotificationsOverrideDefaults() {
        PowerLevels levels = levels(AuthRuleSet.V10,
                "{\"events\": {\"m.room.name\": 70}, \"state_default\": 40, \"events_default\": 3,"
                        + " \"notifications\": {\"room\": 20}}");
        assertEquals(70, levels.eventLevel("m.room.name", true));
        assertEquals(40, levels.eventLevel("m.room.topic", true));
        assertEquals(3, levels.eventLevel("m.room.message", false));
        assertEquals(20, levels.notificationLevel("room"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"100\"", "\"000100\"", "\"+100\"", "\" 100 \"", "\" +0100\\t\""})
    void stringLevelsInTheSpecFormatCountBeforeV10(String value) {
        assertEquals(100, levels(AuthRuleSet.V8, "{\"users\": {\"@bob:b.test\": " + value + "}}").userLevel("@bob:b.test"));
        // From v10 the string is no level: the default applies.
        assertEquals(0, levels(AuthRuleSet.V10, "{\"users\": {\"@bob:b.test\": " + value + "}}").userLevel("@bob:b.test"));
    }

    @Test
    void negativeStringLevels() {
        assertEquals(-5, levels(AuthRuleSet.V1, "{\"ban\": \" -5\"}").ban());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1e2\"", "\"10.0\"", "\"0x10\"", "\"1_000\"", "\"+-1\"", "\"\"", "true", "null", "[1]"})
    void otherValuesAreNoLevel(String value) {
        assertEquals(50, levels(AuthRuleSet.V1, "{\"kick\": " + value + "}").kick());
        assertFalse(PowerLevelValues.isLevel(json("{\"v\": " + value + "}", MatrixJson.Numbers.LENIENT).get("v"),
                AuthRuleSet.V1));
    }

    @Test
    void floatsAreTruncatedInVersionsWithoutCanonicalJson() {
        PowerLevels levels = levels(AuthRuleSet.V3, "{\"users\": {\"@a:x\": 50.57, \"@b:x\": 5.114698E4, \"@c:x\": -7.9}}");
        assertEquals(50, levels.userLevel("@a:x"));
        assertEquals(51146, levels.userLevel("@b:x"));
        assertEquals(-7, levels.userLevel("@c:x"));
        // v6+ events cannot hold floats; if one did, it is no level.
        assertEquals(0, levels(AuthRuleSet.V6, "{\"users\": {\"@a:x\": 50.57}}").userLevel("@a:x"));
    }

    @Test
    void floatsBeyondDoubleRangeAreNoLevel() {
        assertFalse(PowerLevelValues.isLevel(json("{\"v\": 1e400}", MatrixJson.Numbers.LENIENT).get("v"), AuthRuleSet.V1));
    }

    @Test
    void hugeLevelsStayBelowInfinite() {
        PowerLevels levels = levels(AuthRuleSet.V1, "{\"users\": {\"@a:x\": \"99999999999999999999999\", \"@b:x\": 1e300}}");
        assertTrue(levels.userLevel("@a:x") < PowerLevels.INFINITE);
        assertTrue(levels.userLevel("@b:x") < PowerLevels.INFINITE);
        assertEquals(PowerLevelValues.MAX, levels.userLevel("@a:x"));
    }
}
