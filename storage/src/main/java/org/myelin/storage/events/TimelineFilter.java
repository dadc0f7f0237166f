package org.myelin.storage.events;

import java.util.List;

/**
 * Which events of a timeline to return: the event type and sender parts of a client
 * {@code RoomEventFilter} (client-server API, "Filtering"). A null list means "no restriction";
 * an empty {@code types} or {@code senders} list matches nothing. Types may use {@code *} as a
 * wildcard for any sequence of characters. The {@code not_} lists win over the others.
 */
public record TimelineFilter(List<String> types, List<String> notTypes, List<String> senders,
                             List<String> notSenders) {

    public static final TimelineFilter ALL = new TimelineFilter(null, null, null, null);

    public TimelineFilter {
        types = types == null ? null : List.copyOf(types);
        notTypes = notTypes == null ? null : List.copyOf(notTypes);
        senders = senders == null ? null : List.copyOf(senders);
        notSenders = notSenders == null ? null : List.copyOf(notSenders);
    }

    /** Whether an event of {@code type} from {@code sender} passes (the same test the SQL makes). */
    public boolean matches(String type, String sender) {
        if (notTypes != null && notTypes.stream().anyMatch(p -> matchesPattern(p, type))) {
            return false;
        }
        if (types != null && types.stream().noneMatch(p -> matchesPattern(p, type))) {
            return false;
        }
        if (notSenders != null && notSenders.contains(sender)) {
            return false;
        }
        return senders == null || senders.contains(sender);
    }

    /** Whether {@code value} matches {@code pattern}, where {@code *} stands for any characters. */
    static boolean matchesPattern(String pattern, String value) {
        String regex = java.util.Arrays.stream(pattern.split("\\*", -1))
                .map(java.util.regex.Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
        return value.matches(regex);
    }

    /** A SQL LIKE pattern for a filter type pattern ({@code \} is the escape character). */
    static String likePattern(String pattern) {
        return pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%');
    }
}
