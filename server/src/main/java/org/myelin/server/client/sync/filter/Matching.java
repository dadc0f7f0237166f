package org.myelin.server.client.sync.filter;

import java.util.List;

/** Include and exclude lists of exact values (rooms, senders). */
final class Matching {

    private Matching() {
    }

    /** Whether {@code value} passes: not excluded, and included if there is an include list. */
    static boolean allows(List<String> include, List<String> exclude, String value) {
        if (exclude != null && value != null && exclude.contains(value)) {
            return false;
        }
        return include == null || (value != null && include.contains(value));
    }
}
