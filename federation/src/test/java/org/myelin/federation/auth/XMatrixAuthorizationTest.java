package org.myelin.federation.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myelin.protocol.crypto.SigningKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The X-Matrix header grammar (server-server API, "Request Authentication") and request signatures. */
class XMatrixAuthorizationTest {

    static final SigningKey KEY = SigningKey.fromSeed("key1", new byte[32]);

    @Test
    void writesTheFormTheSpecRecommends() {
        XMatrixAuthorization auth = new XMatrixAuthorization("origin.hs.example.com", "destination.hs.example.com",
                "ed25519:key1", "ABCDEF");
        assertEquals("X-Matrix origin=\"origin.hs.example.com\",destination=\"destination.hs.example.com\","
                + "key=\"ed25519:key1\",sig=\"ABCDEF\"", auth.toString());
    }

    @Test
    void parsesWhatItWrites() throws Exception {
        XMatrixAuthorization auth = new XMatrixAuthorization("a.org:8448", "[::1]:8448", "ed25519:k", "s+/g");
        assertEquals(auth, XMatrixAuthorization.parse(auth.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "X-Matrix origin=\"a.org\",destination=\"b.org\",key=\"ed25519:k\",sig=\"SIG\"",
            "x-matrix origin=\"a.org\",destination=\"b.org\",key=\"ed25519:k\",sig=\"SIG\"",
            "X-Matrix   origin=\"a.org\" , destination=\"b.org\",\tkey=\"ed25519:k\" ,sig=\"SIG\"",
            "X-Matrix ORIGIN=\"a.org\",Destination=\"b.org\",KEY=\"ed25519:k\",Sig=\"SIG\"",
            "X-Matrix sig=\"SIG\",key=\"ed25519:k\",destination=\"b.org\",origin=\"a.org\"",
            "X-Matrix origin=a.org,destination=b.org,key=ed25519:k,sig=SIG",
            "X-Matrix origin=\"a.\\org\",destination=\"b.org\",key=\"ed25519:k\",sig=\"S\\IG\"",
            "X-Matrix origin=\"a.org\",destination=\"b.org\",key=\"ed25519:k\",sig=\"SIG\",future=\"x\""
    })
    void parsesEveryFormRfc9110Allows(String header) throws Exception {
        XMatrixAuthorization auth = XMatrixAuthorization.parse(header);
        assertEquals("a.org", auth.origin());
        assertEquals("b.org", auth.destination());
        assertEquals("ed25519:k", auth.key());
        assertEquals("SIG", auth.signature());
    }

    @Test
    void destinationMayBeAbsentForOlderServers() throws Exception {
        assertNull(XMatrixAuthorization.parse("X-Matrix origin=a.org,key=\"ed25519:k\",sig=\"S\"").destination());
    }

    @Test
    void quotedValuesMayHoldCommasAndEscapedQuotes() throws Exception {
        XMatrixAuthorization auth = XMatrixAuthorization.parse(
                "X-Matrix origin=\"a,b\",key=\"ed25519:k\",sig=\"x\\\"y\"");
        assertEquals("a,b", auth.origin());
        assertEquals("x\"y", auth.signature());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "Bearer token", "X-Matrix", "X-Matrixorigin=\"a\",key=\"k\",sig=\"s\"",
            "X-Matrix key=\"ed25519:k\",sig=\"S\"",
            "X-Matrix origin=\"a.org\",sig=\"S\"",
            "X-Matrix origin=\"a.org\",key=\"ed25519:k\"",
            "X-Matrix origin=\"a.org,key=\"ed25519:k\",sig=\"S\"",
            "X-Matrix origin=\"a.org\"x,key=\"ed25519:k\",sig=\"S\"",
            "X-Matrix origin,key=\"ed25519:k\",sig=\"S\"",
            "X-Matrix origin=a org,key=\"ed25519:k\",sig=\"S\""
    })
    void refusesMalformedHeaders(String header) {
        assertThrows(XMatrixAuthorization.MalformedException.class, () -> XMatrixAuthorization.parse(header));
    }

    @Test
    void aSignedRequestVerifiesAndAnyChangeBreaksIt() {
        ObjectNode content = JsonNodeFactory.instance.objectNode().put("a", 1);
        XMatrixAuthorization auth = RequestSigning.sign("PUT", "/_matrix/federation/v1/send/1?x=y", "a.org", "b.org",
                content, KEY);
        assertEquals("ed25519:key1", auth.key());
        assertTrue(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1?x=y", "b.org", content,
                KEY.verifyKey()));
        assertFalse(RequestSigning.verify(auth, "POST", "/_matrix/federation/v1/send/1?x=y", "b.org", content,
                KEY.verifyKey()), "method");
        assertFalse(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1", "b.org", content,
                KEY.verifyKey()), "query string");
        assertFalse(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1?x=y", "c.org", content,
                KEY.verifyKey()), "destination");
        assertFalse(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1?x=y", "b.org",
                content.deepCopy().put("a", 2), KEY.verifyKey()), "content");
        assertFalse(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1?x=y", "b.org", null,
                KEY.verifyKey()), "no content");
        SigningKey other = SigningKey.fromSeed("key1", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        assertFalse(RequestSigning.verify(auth, "PUT", "/_matrix/federation/v1/send/1?x=y", "b.org", content,
                other.verifyKey()), "another key");
    }

    @Test
    void theSignedJsonHasNoContentForARequestWithoutBody() {
        ObjectNode json = RequestSigning.signedJson("GET", "/x", "a.org", "b.org", null);
        assertFalse(json.has("content"));
        assertEquals("{\"destination\":\"b.org\",\"method\":\"GET\",\"origin\":\"a.org\",\"uri\":\"/x\"}",
                org.myelin.protocol.json.CanonicalJson.encodeToString(json));
    }
}
