package org.myelin.protocol.id;

import java.util.Objects;

/**
 * A Matrix user ID, {@code @localpart:domain}: a user namespaced to the homeserver that
 * allocated the account (spec: appendices, "User Identifiers" and "Historical User IDs").
 *
 * <p>{@link #parse} accepts every user ID the spec says servers MUST accept, because such IDs
 * exist in room history: a localpart of any non-surrogate code points except {@code :} and NUL,
 * control characters and the empty localpart included. Two stricter readings sit on top:
 * <ul>
 *   <li>{@link #isCompliant()}: a non-empty localpart of U+0021 to U+007E (the historical
 *       character set, {@code %x21-39 / %x3B-7E}); the spec calls other IDs "non-compliant",
 *       and servers should not forward them to clients outside events.
 *   <li>{@link #isStrictlyValid()} / {@link #parseStrict}: the current grammar
 *       {@code user_id_char = DIGIT / %x61-7A / "-" / "." / "=" / "_" / "/" / "+"}, which new
 *       accounts must follow.
 * </ul>
 * The whole ID is at most 255 bytes in UTF-8. Equality is equality of the wire form.
 *
 * @param localpart the part between {@code @} and the first {@code :}
 * @param server the server name of the homeserver that allocated the account
 */
public record UserId(String localpart, ServerName server) {

    private static final String KIND = "user ID";

    /** Validates the parts; prefer {@link #parse}. */
    public UserId {
        Objects.requireNonNull(localpart, "localpart");
        Objects.requireNonNull(server, "server");
        DomainPart.requireOpaqueLocalpartWithin255Bytes(KIND, '@', localpart, server);
    }

    /** Parses any user ID servers must accept, historical ones included. */
    public static UserId parse(String input) {
        Objects.requireNonNull(input, "input");
        DomainPart parts = DomainPart.split(KIND, '@', input);
        return new UserId(parts.localpart(), parts.server());
    }

    /** Parses a user ID that follows the current grammar, as for a new account. */
    public static UserId parseStrict(String input) {
        UserId id = parse(input);
        if (!id.isStrictlyValid()) {
            throw new InvalidIdentifierException(KIND, input,
                    "the localpart must be non-empty and only contain a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
        }
        return id;
    }

    /** Whether {@code input} is a user ID servers must accept. */
    public static boolean isValid(String input) {
        return input != null && tryParse(input) != null;
    }

    /** Whether {@code input} is a user ID in the current, strict grammar. */
    public static boolean isStrictlyValid(String input) {
        UserId id = input == null ? null : tryParse(input);
        return id != null && id.isStrictlyValid();
    }

    /** Whether the localpart follows the current grammar (a-z 0-9 . _ = - / +, non-empty). */
    public boolean isStrictlyValid() {
        return !localpart.isEmpty() && localpart.chars().allMatch(UserId::isStrictChar);
    }

    /** Whether the localpart is non-empty and within U+0021 to U+007E (the spec's "compliant"). */
    public boolean isCompliant() {
        return !localpart.isEmpty() && localpart.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }

    /** The wire form, {@code @localpart:server}. */
    @Override
    public String toString() {
        return "@" + localpart + ":" + server;
    }

    private static UserId tryParse(String input) {
        try {
            return parse(input);
        } catch (InvalidIdentifierException e) {
            return null;
        }
    }

    private static boolean isStrictChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '=' || c == '_' || c == '/' || c == '+';
    }
}
