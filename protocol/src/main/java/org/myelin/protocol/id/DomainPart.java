package org.myelin.protocol.id;

/**
 * Splits identifiers of the common form {@code &localpart:domain} (spec: appendices, "Common
 * Identifier Format"). The localpart may not contain {@code :}, so the first {@code :} after the
 * sigil ends it and the rest, IPv6 brackets and port included, is the server name.
 */
record DomainPart(String localpart, ServerName server) {

    /**
     * Splits {@code input}, reporting problems as {@code kind}.
     *
     * @throws InvalidIdentifierException if the sigil or the ':' is missing or the domain is not
     *     a server name
     */
    static DomainPart split(String kind, char sigil, String input) {
        requireSigil(kind, sigil, input);
        int colon = input.indexOf(':');
        if (colon < 0) {
            throw new InvalidIdentifierException(kind, input, "missing ':' before the server name");
        }
        return new DomainPart(input.substring(1, colon), serverName(kind, input, input.substring(colon + 1)));
    }

    static void requireSigil(String kind, char sigil, String input) {
        if (input.isEmpty() || input.charAt(0) != sigil) {
            throw new InvalidIdentifierException(kind, input, "must start with '" + sigil + "'");
        }
    }

    /** Parses the domain of an identifier, naming the identifier in the error. */
    static ServerName serverName(String kind, String input, String domain) {
        String problem = ServerName.problem(domain);
        if (problem != null) {
            throw new InvalidIdentifierException(kind, input, "invalid server name: " + problem);
        }
        return new ServerName(domain);
    }

    /**
     * Checks an opaque localpart and the 255-byte limit of {@code sigil localpart ":" server}.
     *
     * @throws InvalidIdentifierException naming {@code kind}
     */
    static void requireOpaqueLocalpartWithin255Bytes(
            String kind, char sigil, String localpart, ServerName server) {
        String wire = sigil + localpart + ":" + server;
        String problem = IdText.opaqueLocalpartProblem(localpart);
        if (problem != null) {
            throw new InvalidIdentifierException(kind, wire, problem);
        }
        requireWithin255Bytes(kind, wire);
    }

    /** Checks the 255-byte limit of a whole identifier whose surrogates are paired. */
    static void requireWithin255Bytes(String kind, String wire) {
        int bytes = IdText.utf8Length(wire);
        if (bytes > IdText.MAX_ID_BYTES) {
            throw new InvalidIdentifierException(kind, wire,
                    "must be at most " + IdText.MAX_ID_BYTES + " bytes in UTF-8, not " + bytes);
        }
    }
}
