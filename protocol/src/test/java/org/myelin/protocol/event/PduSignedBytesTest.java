package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parsed PDU keeps the one encoding that both its event id (v3+) and every signature check
 * use, so a received event is redacted and encoded once, not once per use.
 */
class PduSignedBytesTest {

    static final SigningKey KEY = SigningKey.fromSeed("1", new byte[32]);
    static final SigningKey OTHER = SigningKey.fromSeed("2", new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
            15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    @ParameterizedTest
    @ValueSource(strings = {"1", "3", "10", "11", "12"})
    void theKeptBytesAreTheRedactedEventWithoutSignaturesAndUnsigned(String id) {
        RoomVersion version = RoomVersions.find(id).orElseThrow();
        Pdu pdu = PduTest.message(version).build("example.org", KEY);
        ObjectNode withUnsigned = pdu.jsonCopy();
        withUnsigned.putObject("unsigned").put("age", 5);
        Pdu received = Pdu.parse(withUnsigned, version);

        byte[] expected = JsonSigning.signedBytes(Redaction.redact(withUnsigned, version.redaction()));
        assertArrayEquals(expected, received.redactedSignedBytes());
        assertEquals(EventIds.of(withUnsigned, version), received.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "12"})
    void verifyingWithTheKeptBytesMatchesVerifyingTheJson(String id) {
        RoomVersion version = RoomVersions.find(id).orElseThrow();
        Pdu pdu = PduTest.message(version).build("example.org", KEY);

        assertTrue(EventSigning.verify(pdu, "example.org", KEY.verifyKey()));
        assertTrue(EventSigning.verify(pdu.json(), version, "example.org", KEY.verifyKey()));
        assertFalse(EventSigning.verify(pdu, "example.org", OTHER.verifyKey()));
        assertFalse(EventSigning.verify(pdu, "other.example", KEY.verifyKey()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "12"})
    void aChangedEventNoLongerVerifies(String id) {
        RoomVersion version = RoomVersions.find(id).orElseThrow();
        ObjectNode json = PduTest.message(version).build("example.org", KEY).jsonCopy();
        json.put("origin_server_ts", 99);

        assertFalse(EventSigning.verify(Pdu.parse(json, version), "example.org", KEY.verifyKey()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "12"})
    void signingAddsToTheSignaturesOfOtherServers(String id) {
        RoomVersion version = RoomVersions.find(id).orElseThrow();
        Pdu pdu = PduTest.message(version).build("example.org", KEY);
        Pdu both = Pdu.parse(EventSigning.sign(pdu.json(), version, "other.example", OTHER), version);

        assertTrue(EventSigning.verify(both, "example.org", KEY.verifyKey()));
        assertTrue(EventSigning.verify(both, "other.example", OTHER.verifyKey()));
        assertEquals(pdu.eventId(), both.eventId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "12"})
    void hashingAndSigningDoesNotChangeTheInput(String id) {
        RoomVersion version = RoomVersions.find(id).orElseThrow();
        ObjectNode json = PduTest.message(version).build("example.org", KEY).jsonCopy();
        ObjectNode before = json.deepCopy();
        EventSigning.sign(json, version, "other.example", OTHER);
        EventHashes.redactedSignedBytes(json, version);

        assertEquals(before, json);
    }
}
