package org.myelin.rooms;

import org.myelin.protocol.crypto.SigningKey;

import java.util.Objects;

/**
 * This homeserver as the rooms see it: its server name and the key it signs events with.
 */
public record LocalServer(String serverName, SigningKey signingKey) {
    public LocalServer {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(signingKey, "signingKey");
    }

    /** Whether {@code userId} belongs to this server. */
    public boolean isLocalUser(String userId) {
        int colon = userId.indexOf(':');
        return colon > 0 && userId.substring(colon + 1).equals(serverName);
    }
}
