package org.myelin.protocol.crypto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.event.EventHashes;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersions;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Appendices, "Cryptographic Test Vectors": JSON signing and event signing, byte for byte. */
class SpecSigningVectorsTest {

    static final SigningKey KEY = SigningKey.fromSeed("1",
            UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));

    static ObjectNode json(String s) {
        return MatrixJson.parseObject(s.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.STRICT_INTEGERS);
    }

    @Test
    void signsTheEmptyObject() {
        ObjectNode signed = JsonSigning.sign(json("{}"), "domain", KEY);
        assertEquals("K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ",
                JsonSigning.signature(signed, "domain", "ed25519:1"));
        assertTrue(JsonSigning.verify(signed, "domain", KEY.verifyKey()));
    }

    @Test
    void signsAnObjectWithData() {
        ObjectNode signed = JsonSigning.sign(json("{\"one\": 1, \"two\": \"Two\"}"), "domain", KEY);
        assertEquals("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
                JsonSigning.signature(signed, "domain", "ed25519:1"));
    }

    @Test
    void signatureFailsOnTamperedObject() {
        ObjectNode signed = JsonSigning.sign(json("{\"one\": 1, \"two\": \"Two\"}"), "domain", KEY);
        signed.put("two", "Three");
        assertFalse(JsonSigning.verify(signed, "domain", KEY.verifyKey()));
    }

    @Test
    void signsTheMinimalEvent() {
        ObjectNode event = json("""
                {"room_id": "!x:domain", "sender": "@a:domain", "origin": "domain",
                 "origin_server_ts": 1000000, "signatures": {}, "hashes": {}, "type": "X",
                 "content": {}, "prev_events": [], "auth_events": [], "depth": 3,
                 "unsigned": {"age_ts": 1000000}}""");
        ObjectNode signed = EventSigning.hashAndSign(event, RoomVersions.V1, "domain", KEY);
        assertEquals("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos", signed.path("hashes").path("sha256").asText());
        assertEquals("KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg",
                JsonSigning.signature(signed, "domain", "ed25519:1"));
        assertEquals(1000000, signed.path("unsigned").path("age_ts").asLong());
        assertTrue(EventHashes.contentHashMatches(signed));
        assertTrue(EventSigning.verify(signed, RoomVersions.V1, "domain", KEY.verifyKey()));
    }

    @Test
    void signsTheEventWithRedactableContent() {
        ObjectNode event = json("""
                {"content": {"body": "Here is the message content"}, "event_id": "$0:domain",
                 "origin": "domain", "origin_server_ts": 1000000, "type": "m.room.message",
                 "room_id": "!r:domain", "sender": "@u:domain", "signatures": {},
                 "unsigned": {"age_ts": 1000000}}""");
        ObjectNode signed = EventSigning.hashAndSign(event, RoomVersions.V1, "domain", KEY);
        assertEquals("onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g", signed.path("hashes").path("sha256").asText());
        assertEquals("Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA",
                JsonSigning.signature(signed, "domain", "ed25519:1"));
        // The signature covers the redacted event, so it survives redaction of the body.
        signed.putObject("content");
        assertTrue(EventSigning.verify(signed, RoomVersions.V1, "domain", KEY.verifyKey()));
        assertFalse(EventHashes.contentHashMatches(signed));
    }
}
