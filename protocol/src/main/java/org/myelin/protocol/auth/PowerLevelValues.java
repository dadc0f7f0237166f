package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.version.AuthRuleSet;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reading one power level value as a room version allows it. From v10, an integer. Before v10,
 * also a string holding an integer (rooms/v1, "m.room.power_levels events accept values as
 * strings": decimal digits, leading zeros, one sign, whitespace around), and before v6, where
 * events are not held to canonical JSON, a float truncated towards zero ("... accept values
 * as floats"). Values beyond a {@code long} are clamped just inside it, so that
 * {@link PowerLevels#INFINITE} stays above every level a room can write.
 */
final class PowerLevelValues {

    /** Highest finite level: one below {@link PowerLevels#INFINITE}. */
    static final long MAX = Long.MAX_VALUE - 1;
    static final long MIN = -MAX;

    private static final Pattern STRINGY = Pattern.compile("[ \\t\\n\\r\\f\\x0B]*[+-]?[0-9]+[ \\t\\n\\r\\f\\x0B]*");
    private static final BigInteger BIG_MAX = BigInteger.valueOf(MAX);
    private static final BigInteger BIG_MIN = BigInteger.valueOf(MIN);

    private PowerLevelValues() {
    }

    /** The level {@code value} holds under {@code rules}, or empty if it holds none. */
    static OptionalLong parse(JsonNode value, AuthRuleSet rules) {
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value.isIntegralNumber()) {
            return OptionalLong.of(clamp(value.bigIntegerValue()));
        }
        if (rules.integerPowerLevels()) {
            return OptionalLong.empty();
        }
        if (value.isTextual() && STRINGY.matcher(value.textValue()).matches()) {
            String digits = value.textValue().strip();
            return OptionalLong.of(clamp(new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits)));
        }
        if (value.isFloatingPointNumber() && !rules.strictCanonicalJson()) {
            BigDecimal decimal = value.decimalValue();
            if (Double.isInfinite(decimal.doubleValue())) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(clamp(decimal.toBigInteger()));
        }
        return OptionalLong.empty();
    }

    /** Whether {@code value} is a level under {@code rules}. */
    static boolean isLevel(JsonNode value, AuthRuleSet rules) {
        return parse(value, rules).isPresent();
    }

    private static long clamp(BigInteger value) {
        return value.max(BIG_MIN).min(BIG_MAX).longValue();
    }
}
