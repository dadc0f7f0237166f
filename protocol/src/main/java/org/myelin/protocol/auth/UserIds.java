package org.myelin.protocol.auth;

import java.nio.charset.StandardCharsets;

/**
 * The user id check the rules need ({@code users} keys of power levels, v12's
 * {@code additional_creators}): {@code @localpart:server_name} within 255 bytes (appendices,
 * "User Identifiers"). The localpart is held to the historical grammar, so ids of old rooms
 * still pass.
 */
final class UserIds {

    private static final int MAX_BYTES = 255;

    private UserIds() {
    }

    static boolean isValid(String id) {
        if (id == null || id.length() < 4 || id.charAt(0) != '@'
                || id.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return false;
        }
        int colon = id.indexOf(':');
        if (colon < 2) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = id.charAt(i);
            // Historical user ids: any printable ASCII but ':' (0x21-0x39, 0x3B-0x7E).
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return isServerName(id.substring(colon + 1));
    }

    /** {@code host [":" port]}, host being a DNS name, an IPv4 address or a bracketed IPv6 literal. */
    static boolean isServerName(String name) {
        String host = name;
        int portAt = name.startsWith("[") ? name.indexOf("]:") + 1 : name.lastIndexOf(':');
        if (portAt > 0) {
            String port = name.substring(portAt + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
            host = name.substring(0, portAt);
        }
        if (host.startsWith("[")) {
            return host.length() > 2 && host.endsWith("]")
                    && host.substring(1, host.length() - 1).chars().allMatch(c -> isHex(c) || c == ':' || c == '.');
        }
        return !host.isEmpty() && host.length() <= MAX_BYTES
                && host.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                        || c >= '0' && c <= '9' || c == '-' || c == '.');
    }

    private static boolean isHex(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
