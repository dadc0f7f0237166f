package org.myelin.federation.discovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF guard: which addresses outbound federation may connect to. */
class OutboundGuardTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.5.6.7", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
            "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
            "192.0.2.5", "2001:db8::1"})
    void refusesPrivateLoopbackLinkLocalAndReservedAddresses(String address) throws Exception {
        assertFalse(new OutboundGuard(List.of()).permits(ip(address)), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "2606:4700:4700::1111",
            "::ffff:8.8.8.8"})
    void allowsPublicAddresses(String address) throws Exception {
        assertTrue(new OutboundGuard(List.of()).permits(ip(address)), address);
    }

    @Test
    void theAllowlistOpensRangesOnly() throws Exception {
        OutboundGuard guard = OutboundGuard.allowing(List.of("127.0.0.0/8", "10.1.0.0/16", "fd00::1"));
        assertTrue(guard.permits(ip("127.0.0.1")));
        assertTrue(guard.permits(ip("127.200.0.1")));
        assertTrue(guard.permits(ip("10.1.255.1")));
        assertFalse(guard.permits(ip("10.2.0.1")));
        assertTrue(guard.permits(ip("fd00::1")));
        assertFalse(guard.permits(ip("fd00::2")));
        assertFalse(guard.permits(ip("::1")), "IPv6 loopback is not in 127.0.0.0/8");
    }

    @Test
    void rangesParseAndMatch() throws Exception {
        IpRange r = IpRange.parse("172.16.0.0/12");
        assertTrue(r.contains(ip("172.16.0.0")));
        assertTrue(r.contains(ip("172.31.255.255")));
        assertFalse(r.contains(ip("172.32.0.0")));
        assertFalse(r.contains(ip("::1")));
        assertTrue(IpRange.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        assertTrue(IpRange.parse("fe80::/10").contains(ip("febf::1")));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/x"));
    }
}
