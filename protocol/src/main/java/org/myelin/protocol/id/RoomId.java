package org.myelin.protocol.id;

import java.util.Objects;
import java.util.Optional;

/**
 * A room ID, the one permanent, case-sensitive, opaque name of a room (spec: appendices,
 * "Room IDs"; rooms v12). Its form depends on the room version:
 * <ul>
 *   <li>versions 1 to 11: {@code !opaque_id:domain}, the opaque part following the localpart
 *       rules (no {@code :}, no NUL) and the domain the server name of the room's creator;
 *   <li>version 12 on: the event ID of the room's {@code m.room.create} event with the sigil
 *       {@code !} instead of {@code $}: {@code !} and 43 characters of URL-safe unpadded base64,
 *       no domain.
 * </ul>
 * The whole ID is at most 255 bytes in UTF-8. Equality is equality of the wire form.
 *
 * @param opaqueId the part after {@code !}, up to the first {@code :} if there is a domain
 * @param domain the server name of the creating server, present before room version 12
 */
public record RoomId(String opaqueId, Optional<ServerName> domain) {

    private static final String KIND = "room ID";

    /** Validates the parts; prefer {@link #parse}. */
    public RoomId {
        Objects.requireNonNull(opaqueId, "opaqueId");
        Objects.requireNonNull(domain, "domain");
        if (domain.isPresent()) {
            DomainPart.requireOpaqueLocalpartWithin255Bytes(KIND, '!', opaqueId, domain.get());
        } else if (opaqueId.length() != IdText.HASH_CHARS || !IdText.isUrlSafeBase64(opaqueId)) {
            throw new InvalidIdentifierException(KIND, "!" + opaqueId,
                    "without a domain, a room ID must be a 43-character URL-safe base64 "
                            + "reference hash (room version 12)");
        }
    }

    /** Parses a room ID of any room version. */
    public static RoomId parse(String input) {
        Objects.requireNonNull(input, "input");
        DomainPart.requireSigil(KIND, '!', input);
        if (input.indexOf(':') < 0) {
            return new RoomId(input.substring(1), Optional.empty());
        }
        DomainPart parts = DomainPart.split(KIND, '!', input);
        return new RoomId(parts.localpart(), Optional.of(parts.server()));
    }

    /** Whether {@code input} is a room ID of some room version. */
    public static boolean isValid(String input) {
        try {
            return input != null && parse(input) != null;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /**
     * The room ID of a room version 12 room, from the event ID of its {@code m.room.create}
     * event (rooms v12: "the event ID of the event with sigil {@code !} instead of {@code $}").
     *
     * @throws InvalidIdentifierException if the event ID is not a URL-safe reference hash
     */
    public static RoomId fromCreateEventId(EventId createEventId) {
        if (!createEventId.hasFormat(EventId.Format.URL_SAFE_HASH)) {
            throw new InvalidIdentifierException(KIND, createEventId.toString(),
                    "only a URL-safe reference-hash event ID names a room (room version 12)");
        }
        return new RoomId(createEventId.opaqueId(), Optional.empty());
    }

    /**
     * The event ID of the room's {@code m.room.create} event, which a room ID without a domain
     * (room version 12) is; empty for the older form.
     */
    public Optional<EventId> createEventId() {
        return domain.isPresent() ? Optional.empty() : Optional.of(new EventId(opaqueId, Optional.empty()));
    }

    /** The wire form. */
    @Override
    public String toString() {
        return domain.map(server -> "!" + opaqueId + ":" + server).orElseGet(() -> "!" + opaqueId);
    }
}
