package org.myelin.server.client.rooms;

import org.myelin.server.http.MatrixException;

/**
 * A pagination token of a room timeline ({@code /messages}, {@code /context}, the
 * {@code prev_batch} of {@code /sync}): a position in stream order, {@code s<position>}.
 * Position {@code p} lies just after the event with stream ordering {@code p}; see
 * {@link org.myelin.storage.events.TimelineRepository}. A multi-stream sync token whose first
 * part is {@code s<position>} followed by {@code _} is accepted too (its room part is used).
 */
public record TimelineToken(long position) {

    /** Parses a token; 400 M_INVALID_PARAM if it is not one. */
    public static TimelineToken parse(String token) {
        if (token == null || token.length() < 2 || token.charAt(0) != 's') {
            throw MatrixException.invalidParam("Invalid pagination token: " + token);
        }
        int end = token.indexOf('_');
        String number = end < 0 ? token.substring(1) : token.substring(1, end);
        try {
            return new TimelineToken(Long.parseLong(number));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Invalid pagination token: " + token);
        }
    }

    /** The position just before the event with stream ordering {@code ordering}. */
    public static TimelineToken before(long ordering) {
        return new TimelineToken(ordering - 1);
    }

    /** The position just after the event with stream ordering {@code ordering}. */
    public static TimelineToken after(long ordering) {
        return new TimelineToken(ordering);
    }

    @Override
    public String toString() {
        return "s" + position;
    }
}
