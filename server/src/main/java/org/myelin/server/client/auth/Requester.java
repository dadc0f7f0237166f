package org.myelin.server.client.auth;

import java.util.Objects;

/**
 * Who makes an authenticated client request: the user and device its access token belongs to
 * (client-server API, "Client Authentication").
 *
 * @param userId   the full user id, {@code @localpart:server}
 * @param deviceId the device the token was issued to
 * @param isGuest  whether the account is a guest account
 * @param tokenId  the id of the access token used, so that /logout can revoke exactly it
 */
public record Requester(String userId, String deviceId, boolean isGuest, long tokenId) {
    public Requester {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(deviceId, "deviceId");
    }
}
