package org.myelin.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The examples of the spec's appendix "Server Name", and some that are not server names. */
class ServerNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234", "[1234:5678::abcd]",
            "[1234:5678::abcd]:5678", "localhost:8008", "127.0.0.1:8448", "my-server.example"})
    void acceptsValidNames(String name) {
        ServerNames.parse(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "matrix.org:", "matrix.org:0", "matrix.org:65536", "matrix.org:123456", "under_score.org",
            "1234:5678::abcd", "[not-ipv6]", "matrix.org/path", "user@matrix.org", "white space"})
    void rejectsInvalidNames(String name) {
        assertThrows(IllegalArgumentException.class, () -> ServerNames.parse(name));
    }

    @Test
    void splitsHostAndPort() {
        ServerNames.HostAndPort ipv6 = ServerNames.parse("[::1]:8448");
        assertEquals("[::1]", ipv6.host());
        assertEquals("::1", ipv6.bareHost());
        assertEquals(OptionalInt.of(8448), ipv6.port());
        assertTrue(ipv6.isIpLiteral());
        assertTrue(ServerNames.parse("127.0.0.1").isIpLiteral());
        assertFalse(ServerNames.parse("example.org").isIpLiteral());
        assertEquals(OptionalInt.empty(), ServerNames.parse("example.org").port());
    }
}
