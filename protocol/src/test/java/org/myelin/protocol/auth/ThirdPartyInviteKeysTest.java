package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keys of an {@code m.room.third_party_invite} and which of them verifies an identity
 * server's signed block: the servers that redeem an invite ask the identity server about that key.
 */
class ThirdPartyInviteKeysTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final SigningKey OLD = TestKeys.of("old.id.test");
    private static final SigningKey CURRENT = TestKeys.of("id.test");

    private static Pdu invite(ObjectNode content) {
        return EventBuilder.in(RoomVersions.V11, "!r:a.test").type(StateKey.THIRD_PARTY_INVITE).stateKey("tok")
                .sender("@alice:a.test").content(content).originServerTs(1).build("a.test", TestKeys.of("a.test"));
    }

    private static Pdu twoKeys() {
        ObjectNode content = JSON.objectNode().put("display_name", "b...")
                .put("public_key", OLD.verifyKey().publicKeyBase64())
                .put("key_validity_url", "https://id.test/old/isvalid");
        content.putArray("public_keys")
                .add(JSON.objectNode().put("public_key", OLD.verifyKey().publicKeyBase64())
                        .put("key_validity_url", "https://id.test/old/isvalid"))
                .add(JSON.objectNode().put("public_key", CURRENT.verifyKey().publicKeyBase64())
                        .put("key_validity_url", "https://id.test/isvalid"));
        return invite(content);
    }

    private static ObjectNode signed(SigningKey by) {
        return JsonSigning.sign(JSON.objectNode().put("mxid", "@bob:b.test").put("token", "tok"), "id.test", by);
    }

    @Test
    void listsTheSingleKeyThenEachOfPublicKeysWithTheirValidityUrls() {
        List<ThirdPartyInviteKeys.PublicKey> keys = ThirdPartyInviteKeys.of(twoKeys());
        assertEquals(3, keys.size());
        assertEquals("https://id.test/old/isvalid", keys.get(0).keyValidityUrl());
        assertEquals(CURRENT.verifyKey().publicKeyBase64(), keys.get(2).base64());
    }

    @Test
    void theVerifyingKeyIsTheOneThatSignedWithItsOwnValidityUrl() {
        ThirdPartyInviteKeys.PublicKey key = ThirdPartyInviteKeys.verifying(signed(CURRENT), twoKeys()).orElseThrow();
        assertEquals(CURRENT.verifyKey().publicKeyBase64(), key.base64());
        assertEquals("https://id.test/isvalid", key.keyValidityUrl());
    }

    @Test
    void aSignatureOfAnotherKeyOrOfOtherContentVerifiesWithNone() {
        assertTrue(ThirdPartyInviteKeys.verifying(signed(TestKeys.of("evil.test")), twoKeys()).isEmpty());
        ObjectNode altered = signed(CURRENT).put("mxid", "@mallory:b.test");
        assertTrue(ThirdPartyInviteKeys.verifying(altered, twoKeys()).isEmpty());
        ObjectNode noSignatures = JSON.objectNode().put("mxid", "@bob:b.test").put("token", "tok");
        assertTrue(ThirdPartyInviteKeys.verifying(noSignatures, twoKeys()).isEmpty());
        ObjectNode badShape = signed(CURRENT);
        badShape.putObject("signatures").put("id.test", "not an object");
        assertTrue(ThirdPartyInviteKeys.verifying(badShape, twoKeys()).isEmpty());
    }

    @Test
    void undecodableKeysAreSkipped() {
        ObjectNode content = JSON.objectNode().put("public_key", "%%%");
        content.putArray("public_keys").add(JSON.objectNode().put("public_key", "c2hvcnQ"))
                .add(JSON.objectNode().put("public_key", CURRENT.verifyKey().publicKeyBase64()));
        List<ThirdPartyInviteKeys.PublicKey> keys = ThirdPartyInviteKeys.of(invite(content));
        assertEquals(1, keys.size());
        assertTrue(ThirdPartyInviteKeys.verifying(signed(CURRENT), invite(content)).isPresent());
    }
}
