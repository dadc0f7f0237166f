package org.myelin.protocol.version;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The room version registry: 1 to 12, all stable, 12 the default; rules switch where the spec says. */
class RoomVersionsTest {

    @Test
    void knowsVersionsOneToTwelveAllStable() {
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
                RoomVersions.all().stream().map(RoomVersion::id).toList());
        assertTrue(RoomVersions.all().stream().allMatch(RoomVersion::stable));
        assertEquals("12", RoomVersions.DEFAULT.id());
        assertFalse(RoomVersions.find("13").isPresent());
        assertFalse(RoomVersions.find("org.example.custom").isPresent());
    }

    @Test
    void rulesChangeAtTheVersionsTheSpecNames() {
        assertEquals(StateResAlgorithm.V1, RoomVersions.V1.stateRes());
        assertEquals(StateResAlgorithm.V2, RoomVersions.V2.stateRes());
        assertEquals(StateResAlgorithm.V2, RoomVersions.V11.stateRes());
        assertEquals(StateResAlgorithm.V2_1, RoomVersions.V12.stateRes());
        assertEquals(EventFormat.EVENT_ID_IN_EVENT, RoomVersions.V2.eventFormat());
        assertEquals(EventFormat.REFERENCE_HASH, RoomVersions.V3.eventFormat());
        assertEquals(EventFormat.URL_SAFE_REFERENCE_HASH, RoomVersions.V4.eventFormat());
        assertFalse(RoomVersions.V4.enforceKeyValidity());
        assertTrue(RoomVersions.V5.enforceKeyValidity());
        assertTrue(RoomVersions.V2.auth().redactionRule());
        assertFalse(RoomVersions.V3.auth().redactionRule());
        assertTrue(RoomVersions.V5.auth().aliasesRule());
        assertFalse(RoomVersions.V6.auth().aliasesRule());
        assertFalse(RoomVersions.V5.auth().strictCanonicalJson());
        assertTrue(RoomVersions.V6.auth().strictCanonicalJson());
        assertFalse(RoomVersions.V6.auth().knocking());
        assertTrue(RoomVersions.V7.auth().knocking());
        assertFalse(RoomVersions.V7.auth().restrictedJoins());
        assertTrue(RoomVersions.V8.auth().restrictedJoins());
        assertFalse(RoomVersions.V9.auth().knockRestrictedJoins());
        assertTrue(RoomVersions.V10.auth().knockRestrictedJoins());
        assertFalse(RoomVersions.V9.auth().integerPowerLevels());
        assertTrue(RoomVersions.V10.auth().integerPowerLevels());
        assertFalse(RoomVersions.V10.redactsInContent());
        assertTrue(RoomVersions.V11.redactsInContent());
        assertTrue(RoomVersions.V10.auth().createNeedsCreator());
        assertFalse(RoomVersions.V11.auth().createNeedsCreator());
        assertFalse(RoomVersions.V11.auth().creatorsHaveInfinitePower());
        assertTrue(RoomVersions.V12.auth().creatorsHaveInfinitePower());
        assertTrue(RoomVersions.V12.auth().roomIdIsCreateEventHash());
        assertEquals(RedactionRules.V8, RoomVersions.V8.redaction());
        assertEquals(RedactionRules.V9, RoomVersions.V10.redaction());
        assertEquals(RedactionRules.V11, RoomVersions.V12.redaction());
    }
}
