package org.myelin.protocol.push;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code is} parameter of {@code room_member_count}: a decimal integer, optionally prefixed
 * by {@code ==}, {@code <}, {@code >}, {@code >=} or {@code <=}; no prefix means {@code ==}.
 * Anything else never matches.
 */
final class MemberCount {

    private static final int CACHE_LIMIT = 10_000;
    /** Each {@code is} parsed once: the same few conditions are checked for every event. */
    private static final Map<String, Comparison> PARSED = new ConcurrentHashMap<>();

    /** A parsed {@code is}; {@code op} null when it never matches. */
    private record Comparison(String op, long n) {
        static final Comparison NEVER = new Comparison(null, 0);

        boolean holds(long memberCount) {
            if (op == null) {
                return false;
            }
            return switch (op) {
                case "==" -> memberCount == n;
                case "<" -> memberCount < n;
                case ">" -> memberCount > n;
                case ">=" -> memberCount >= n;
                case "<=" -> memberCount <= n;
                default -> false;
            };
        }
    }

    private MemberCount() {
    }

    static boolean holds(String is, long memberCount) {
        Comparison c = PARSED.get(is);
        if (c == null) {
            if (PARSED.size() >= CACHE_LIMIT) {
                PARSED.clear();
            }
            c = parse(is);
            PARSED.put(is, c);
        }
        return c.holds(memberCount);
    }

    private static Comparison parse(String is) {
        String op;
        if (is.startsWith("==") || is.startsWith(">=") || is.startsWith("<=")) {
            op = is.substring(0, 2);
        } else if (is.startsWith("<") || is.startsWith(">")) {
            op = is.substring(0, 1);
        } else {
            op = "==";
        }
        String number = is.substring(op.equals("==") && !is.startsWith("==") ? 0 : op.length());
        if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9') || number.length() > 18) {
            return Comparison.NEVER;
        }
        return new Comparison(op, Long.parseLong(number));
    }
}
