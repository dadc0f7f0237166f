package org.myelin.protocol.id;

import java.util.Objects;

/**
 * A room alias, {@code #room_alias:domain}: a human-readable name for a room, which the homeserver
 * named by the domain resolves to a room ID (spec: appendices, "Room Aliases").
 *
 * <p>The localpart may hold any non-surrogate code points except {@code :} and NUL; the whole
 * alias is at most 255 bytes in UTF-8. Equality is equality of the wire form.
 *
 * @param localpart the part between {@code #} and the first {@code :}
 * @param server the server name of the homeserver that created the alias
 */
public record RoomAlias(String localpart, ServerName server) {

    private static final String KIND = "room alias";

    /** Validates the parts; prefer {@link #parse}. */
    public RoomAlias {
        Objects.requireNonNull(localpart, "localpart");
        Objects.requireNonNull(server, "server");
        DomainPart.requireOpaqueLocalpartWithin255Bytes(KIND, '#', localpart, server);
    }

    /** Parses a room alias such as {@code #matrix:matrix.org}. */
    public static RoomAlias parse(String input) {
        Objects.requireNonNull(input, "input");
        DomainPart parts = DomainPart.split(KIND, '#', input);
        return new RoomAlias(parts.localpart(), parts.server());
    }

    /** Whether {@code input} is a valid room alias. */
    public static boolean isValid(String input) {
        try {
            return input != null && parse(input) != null;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /** The wire form, {@code #localpart:server}. */
    @Override
    public String toString() {
        return "#" + localpart + ":" + server;
    }
}
