package org.myelin.protocol.id;

/**
 * The IP address literals a server name may use (spec: appendices, "Server Name"): an IPv4
 * dotted quad of numbers 0 to 255, and an IPv6 address in any textual form of RFC 4291
 * section 2.2 (the spec cites RFC 3513, which RFC 4291 replaced with the same text forms):
 * eight groups of 1 to 4 hex digits, one {@code ::} standing for one or more zero groups, and
 * an optional IPv4 dotted quad as the last 32 bits. Zone identifiers ({@code %eth0}) are not
 * part of the grammar.
 */
final class IpLiterals {

    private static final int IPV6_GROUPS = 8;

    private IpLiterals() {}

    /** Whether {@code text} is {@code 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT}, each 0 to 255. */
    static boolean isIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !allDigits(part) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Returns why {@code text} (without brackets) is not an IPv6 address, or {@code null}. */
    static String ipv6Problem(String text) {
        // IPv6address = 2*45IPv6char; IPv6char = DIGIT / %x41-46 / %x61-66 / ":" / "."
        if (text.length() < 2 || text.length() > 45) {
            return "an IPv6 address has 2 to 45 characters";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isHexDigit(c) && c != ':' && c != '.') {
                return "an IPv6 address may not contain '" + c + "'";
            }
        }
        int gap = text.indexOf("::");
        if (gap < 0) {
            String problem = groupsProblem(text, true);
            if (problem != null) {
                return problem;
            }
            int groups = groupCount(text);
            return groups == IPV6_GROUPS
                    ? null
                    : "an IPv6 address without '::' needs 8 groups of 16 bits, not " + groups;
        }
        if (text.indexOf("::", gap + 1) >= 0) {
            return "'::' may appear only once in an IPv6 address";
        }
        String head = text.substring(0, gap);
        String tail = text.substring(gap + 2);
        String problem = head.isEmpty() ? null : groupsProblem(head, false);
        if (problem == null && !tail.isEmpty()) {
            problem = groupsProblem(tail, true);
        }
        if (problem != null) {
            return problem;
        }
        int groups = groupCount(head) + groupCount(tail);
        return groups < IPV6_GROUPS
                ? null
                : "'::' stands for at least one zero group, but " + groups + " groups are written";
    }

    /** Checks the ':'-separated groups of a non-empty run; an IPv4 quad may only end it. */
    private static String groupsProblem(String run, boolean mayEndWithIpv4) {
        String[] groups = run.split(":", -1);
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (group.isEmpty()) {
                return "an IPv6 address may not start or end with a single ':'";
            }
            if (group.indexOf('.') >= 0) {
                if (!mayEndWithIpv4 || i != groups.length - 1) {
                    return "an embedded IPv4 address may only form the last 32 bits";
                }
                if (!isIpv4(group)) {
                    return "the embedded IPv4 address '" + group + "' is not a valid dotted quad";
                }
            } else if (group.length() > 4) {
                return "an IPv6 group has at most 4 hex digits, not '" + group + "'";
            }
        }
        return null;
    }

    /** Number of 16-bit groups in a valid run; an embedded IPv4 quad counts as two. */
    private static int groupCount(String run) {
        if (run.isEmpty()) {
            return 0;
        }
        int groups = 1;
        for (int i = 0; i < run.length(); i++) {
            if (run.charAt(i) == ':') {
                groups++;
            }
        }
        return run.indexOf('.') >= 0 ? groups + 1 : groups;
    }

    static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
