package org.myelin.server.client.sync.filter;

import java.util.List;

/** Event type patterns of filters: {@code *} stands for any sequence of characters. */
public final class TypePatterns {

    private TypePatterns() {
    }

    /** Whether {@code type} passes: matches no excluded pattern, and an included one if there are any. */
    static boolean allows(List<String> include, List<String> exclude, String type) {
        if (exclude != null) {
            for (String pattern : exclude) {
                if (matches(pattern, type)) {
                    return false;
                }
            }
        }
        if (include == null) {
            return true;
        }
        for (String pattern : include) {
            if (matches(pattern, type)) {
                return true;
            }
        }
        return false;
    }

    /** Glob matching with {@code *} only, linear in practice (backtracks to the last star). */
    public static boolean matches(String pattern, String value) {
        int p = 0;
        int v = 0;
        int star = -1;
        int resume = 0;
        while (v < value.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = v;
            } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
                p++;
                v++;
            } else if (star >= 0) {
                p = star + 1;
                v = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
