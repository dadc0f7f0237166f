package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.json.MatrixJson;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code m.room.server_acl} evaluation, in the order the event schema gives. */
class ServerAclTest {

    static ServerAcl acl(String json) {
        JsonNode content = MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
        return ServerAcl.fromContent(content);
    }

    @Test
    void noAclAllowsEveryone() {
        assertTrue(ServerAcl.NONE.allows("evil.example.org"));
        assertTrue(ServerAcl.NONE.allows("1.2.3.4"));
    }

    @Test
    void denyWinsOverAllowAndPortsAreIgnored() {
        ServerAcl acl = acl("{\"allow\": [\"*\"], \"deny\": [\"evil.com\", \"*.evil.com\"]}");
        assertFalse(acl.allows("evil.com"));
        assertFalse(acl.allows("evil.com:8448"));
        assertFalse(acl.allows("sub.evil.com:1234"));
        assertTrue(acl.allows("good.com"));
        assertTrue(acl.allows("notevil.com"));
    }

    @Test
    void withoutAnAllowListNobodyIsAllowed() {
        assertFalse(acl("{}").allows("good.com"));
        assertFalse(acl("{\"deny\": []}").allows("good.com"));
    }

    @Test
    void ipLiteralsAreDeniedWhenAskedAndOtherwiseMatchedAsNames() {
        ServerAcl noIps = acl("{\"allow\": [\"*\"], \"allow_ip_literals\": false}");
        assertFalse(noIps.allows("1.2.3.4"));
        assertFalse(noIps.allows("[::1]:8448"));
        assertTrue(noIps.allows("example.org"));
        ServerAcl ips = acl("{\"allow\": [\"*\"], \"allow_ip_literals\": \"no\"}");
        assertTrue(ips.allows("1.2.3.4"), "a non-boolean means the default, true");
        assertFalse(acl("{\"allow\": [\"*\"], \"deny\": [\"127.0.0.*\"]}").allows("127.0.0.1:8448"));
    }

    @Test
    void globsMatchWholeNamesCaseInsensitively() {
        ServerAcl acl = acl("{\"allow\": [\"matrix.?rg\", \"*.Example.COM\"]}");
        assertTrue(acl.allows("matrix.org"));
        assertTrue(acl.allows("MATRIX.ORG"));
        assertFalse(acl.allows("matrix.oorg"));
        assertTrue(acl.allows("a.b.example.com"));
        assertFalse(acl.allows("example.com"));
        assertFalse(acl("{\"allow\": [\"a.b\"]}").allows("axb"), "a dot is a dot, not a regex");
    }

    /** A hang guard, not a timing: the room's state chooses the globs, a peer its name. */
    @Test
    void globsOfManyStarsFinishOnLongNames() {
        ServerAcl acl = acl("{\"allow\": [\"*\"], \"deny\": [\"*a*a*a*a*a*a*b\"]}");
        String name = "a".repeat(60) + "." + "a".repeat(60) + "." + "a".repeat(60) + ".org";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertTrue(acl.allows(name));
            assertFalse(acl.allows(name.replace(".org", ".b")));
        });
    }
}
