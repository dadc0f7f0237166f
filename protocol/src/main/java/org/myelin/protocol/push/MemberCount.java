package org.myelin.protocol.push;

/**
 * The {@code is} parameter of {@code room_member_count}: a decimal integer, optionally prefixed
 * by {@code ==}, {@code <}, {@code >}, {@code >=} or {@code <=}; no prefix means {@code ==}.
 * Anything else never matches.
 */
final class MemberCount {

    private MemberCount() {
    }

    static boolean holds(String is, long memberCount) {
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
            return false;
        }
        long n = Long.parseLong(number);
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
