package org.myelin.protocol.id;

import java.util.Objects;

/**
 * A Matrix Content URI, {@code mxc://<server-name>/<media-id>}: where a piece of content
 * originated and its name there (client-server API, "Matrix Content (mxc://) URIs").
 *
 * @param server  the origin server, a valid server name
 * @param mediaId the media ID, {@code A-Za-z0-9_-} only
 */
public record MxcUri(ServerName server, MediaId mediaId) {

    private static final String SCHEME = "mxc://";
    private static final String KIND = "mxc URI";

    public MxcUri {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(mediaId, "mediaId");
    }

    /** Parses {@code mxc://server/mediaId}. */
    public static MxcUri parse(String input) {
        Objects.requireNonNull(input, "input");
        if (!input.startsWith(SCHEME)) {
            throw new InvalidIdentifierException(KIND, input, "must start with " + SCHEME);
        }
        String rest = input.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new InvalidIdentifierException(KIND, input, "missing '/' between server name and media ID");
        }
        try {
            return new MxcUri(ServerName.parse(rest.substring(0, slash)), MediaId.parse(rest.substring(slash + 1)));
        } catch (InvalidIdentifierException e) {
            throw new InvalidIdentifierException(KIND, input, e.reason());
        }
    }

    /** The wire form, {@code mxc://server/mediaId}. */
    @Override
    public String toString() {
        return SCHEME + server + "/" + mediaId;
    }
}
