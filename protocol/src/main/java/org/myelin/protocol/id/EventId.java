package org.myelin.protocol.id;

import java.util.Objects;
import java.util.Optional;

/**
 * An event ID (spec: appendices, "Event IDs"; rooms v1, v3 and v4, "Event IDs"). Its form
 * depends on the room version:
 * <ul>
 *   <li>{@link Format#DOMAIN} (versions 1 and 2): {@code $opaque_id:domain}, the opaque part
 *       following the localpart rules (no {@code :}, no NUL);
 *   <li>{@link Format#STANDARD_HASH} (version 3): {@code $} and the event's SHA-256 reference
 *       hash in unpadded base64, 43 characters that may include {@code +} and {@code /};
 *   <li>{@link Format#URL_SAFE_HASH} (version 4 on): the same hash in URL-safe unpadded base64,
 *       which may include {@code -} and {@code _}.
 * </ul>
 * {@link #parse} accepts all three; the room version decides which one an event must use,
 * with {@link #hasFormat}. A hash of letters and digits only has both hash formats. The whole
 * ID is at most 255 bytes in UTF-8. Event IDs are case-sensitive; equality is equality of the
 * wire form.
 *
 * @param opaqueId the part after {@code $}, up to the first {@code :} if there is a domain
 * @param domain the server name of the creating server, present only in the domain form
 */
public record EventId(String opaqueId, Optional<ServerName> domain) {

    /** The event ID forms of the room versions. */
    public enum Format {
        /** {@code $opaque_id:domain}, room versions 1 and 2. */
        DOMAIN,
        /** {@code $} + reference hash in standard unpadded base64, room version 3. */
        STANDARD_HASH,
        /** {@code $} + reference hash in URL-safe unpadded base64, room versions 4 and later. */
        URL_SAFE_HASH
    }

    private static final String KIND = "event ID";

    /** Validates the parts; prefer {@link #parse}. */
    public EventId {
        Objects.requireNonNull(opaqueId, "opaqueId");
        Objects.requireNonNull(domain, "domain");
        if (domain.isPresent()) {
            DomainPart.requireOpaqueLocalpartWithin255Bytes(KIND, '$', opaqueId, domain.get());
        } else if (opaqueId.length() != IdText.HASH_CHARS
                || !(IdText.isStandardBase64(opaqueId) || IdText.isUrlSafeBase64(opaqueId))) {
            throw new InvalidIdentifierException(KIND, "$" + opaqueId,
                    "without a domain, an event ID must be a 43-character reference hash "
                            + "in one unpadded base64 alphabet (room version 3 and later)");
        }
    }

    /** Parses an event ID of any room version. */
    public static EventId parse(String input) {
        Objects.requireNonNull(input, "input");
        DomainPart.requireSigil(KIND, '$', input);
        if (input.indexOf(':') < 0) {
            return new EventId(input.substring(1), Optional.empty());
        }
        DomainPart parts = DomainPart.split(KIND, '$', input);
        return new EventId(parts.localpart(), Optional.of(parts.server()));
    }

    /** Whether {@code input} is an event ID of some room version. */
    public static boolean isValid(String input) {
        try {
            return input != null && parse(input) != null;
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }

    /** Whether this ID has the given form; see {@link Format}. */
    public boolean hasFormat(Format format) {
        return switch (format) {
            case DOMAIN -> domain.isPresent();
            case STANDARD_HASH -> domain.isEmpty() && IdText.isStandardBase64(opaqueId);
            case URL_SAFE_HASH -> domain.isEmpty() && IdText.isUrlSafeBase64(opaqueId);
        };
    }

    /** The wire form. */
    @Override
    public String toString() {
        return domain.map(server -> "$" + opaqueId + ":" + server).orElseGet(() -> "$" + opaqueId);
    }
}
