package org.myelin.federation.discovery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The SSRF guard of outbound federation: a remote server name, its {@code .well-known} or its
 * SRV records could point this server at its own network. Connections to loopback, private,
 * link-local, unique-local, carrier-grade NAT, multicast, unspecified and reserved addresses are
 * refused, unless the address is in the configured allowlist ({@code federation.outbound_ip_allowlist};
 * tests allow {@code 127.0.0.0/8}). The check is made on each resolved address right before
 * connecting to it, so a DNS answer cannot change between check and use.
 */
public final class OutboundGuard {

    private static final List<IpRange> DENIED = List.of(
            IpRange.parse("0.0.0.0/8"),
            IpRange.parse("10.0.0.0/8"),
            IpRange.parse("100.64.0.0/10"),
            IpRange.parse("127.0.0.0/8"),
            IpRange.parse("169.254.0.0/16"),
            IpRange.parse("172.16.0.0/12"),
            IpRange.parse("192.0.0.0/24"),
            IpRange.parse("192.0.2.0/24"),
            IpRange.parse("192.168.0.0/16"),
            IpRange.parse("198.18.0.0/15"),
            IpRange.parse("198.51.100.0/24"),
            IpRange.parse("203.0.113.0/24"),
            IpRange.parse("224.0.0.0/4"),
            IpRange.parse("240.0.0.0/4"),
            IpRange.parse("::/128"),
            IpRange.parse("::1/128"),
            IpRange.parse("fe80::/10"),
            IpRange.parse("fec0::/10"),
            IpRange.parse("fc00::/7"),
            IpRange.parse("ff00::/8"),
            IpRange.parse("2001:db8::/32"),
            IpRange.parse("100::/64"));

    private final List<IpRange> allowed;

    public OutboundGuard(List<IpRange> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** A guard with the allowlist given as text (addresses and CIDR ranges). */
    public static OutboundGuard allowing(List<String> ranges) {
        return new OutboundGuard(ranges.stream().map(IpRange::parse).toList());
    }

    /** Whether outbound federation may connect to {@code address}. */
    public boolean permits(InetAddress address) {
        for (IpRange range : allowed) {
            if (range.contains(address)) {
                return true;
            }
        }
        InetAddress effective = embeddedIpv4(address);
        for (IpRange range : DENIED) {
            if (range.contains(effective)) {
                return false;
            }
        }
        return !(effective.isAnyLocalAddress() || effective.isLoopbackAddress() || effective.isLinkLocalAddress()
                || effective.isSiteLocalAddress() || effective.isMulticastAddress());
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address; else the address. */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] a = address.getAddress();
        boolean mapped = isZero(a, 0, 10) && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF;
        boolean compatible = isZero(a, 0, 12) && !(isZero(a, 12, 15) && (a[15] == 0 || a[15] == 1));
        boolean nat64 = (a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF
                && (a[3] & 0xFF) == 0x9B && isZero(a, 4, 12);
        if (!mapped && !compatible && !nat64) {
            return address;
        }
        try {
            return InetAddress.getByAddress(new byte[] {a[12], a[13], a[14], a[15]});
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
