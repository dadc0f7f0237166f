package org.myelin.server.media.preview;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * URLs never previewed ({@code media.url_preview.url_blocklist}, Synapse's
 * {@code url_preview_url_blacklist}): each entry names parts of a URL, as Python's
 * {@code urlsplit} names them, with a glob or a regular expression (when it starts with
 * {@code ^}) for each; a URL all of whose named parts match one entry is blocked. As there, a URL
 * without a query, path or fragment has an empty one, and one without a host name, port, user
 * or password has none, which matches nothing.
 */
final class UrlBlocklist {

    private record Part(String name, Predicate<String> pattern) {}

    private final List<List<Part>> entries;

    UrlBlocklist(List<Map<String, String>> config) {
        List<List<Part>> parsed = new ArrayList<>();
        for (Map<String, String> entry : config) {
            List<Part> parts = new ArrayList<>();
            entry.forEach((name, pattern) -> parts.add(new Part(name, matcher(pattern))));
            parsed.add(List.copyOf(parts));
        }
        this.entries = List.copyOf(parsed);
    }

    boolean blocks(URI url) {
        for (List<Part> entry : entries) {
            if (entry.stream().allMatch(part -> {
                String value = part(url, part.name());
                return value != null && part.pattern().test(value);
            })) {
                return true;
            }
        }
        return false;
    }

    private static Predicate<String> matcher(String pattern) {
        if (pattern.startsWith("^")) {
            // Python's re.match: anchored at the start only.
            Pattern regex = Pattern.compile(pattern);
            return value -> regex.matcher(value).lookingAt();
        }
        // fnmatch: the whole value, where '*' crosses '/' too (unlike a file glob's).
        Pattern glob = Pattern.compile(globToRegex(pattern));
        return value -> glob.matcher(value).matches();
    }

    /** {@code *}, {@code ?} and {@code [...]} as fnmatch reads them; everything else literal. */
    static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        regex.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, end);
                        regex.append('[').append(set.startsWith("!") ? "^" + quoteSet(set.substring(1)) : quoteSet(set))
                                .append(']');
                        i = end;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return "(?s)" + regex;
    }

    private static String quoteSet(String set) {
        return set.replace("\\", "\\\\").replace("[", "\\[").replace("&&", "\\&\\&");
    }

    /** A part of {@code url} as {@code urlsplit} gives it; null if the URL has none. */
    private static String part(URI url, String name) {
        return switch (name) {
            case "scheme" -> orEmpty(url.getScheme());
            case "netloc" -> orEmpty(url.getRawAuthority());
            case "hostname" -> url.getHost() == null ? null : url.getHost().toLowerCase(Locale.ROOT);
            case "port" -> url.getPort() < 0 ? null : Integer.toString(url.getPort());
            case "path" -> orEmpty(url.getRawPath());
            case "query" -> orEmpty(url.getRawQuery());
            case "fragment" -> orEmpty(url.getRawFragment());
            case "username", "password" -> userInfo(url, name.equals("username") ? 0 : 1);
            default -> null;
        };
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String userInfo(URI url, int index) {
        String info = url.getRawUserInfo();
        if (info == null) {
            return null;
        }
        String[] parts = info.split(":", 2);
        return index < parts.length ? parts[index] : null;
    }
}
