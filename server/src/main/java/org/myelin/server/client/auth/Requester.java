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
 * @param appServiceId the application service whose {@code as_token} made the request, or null
 */
public record Requester(String userId, String deviceId, boolean isGuest, long tokenId, String appServiceId) {
    public Requester {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    /** A user's own request, made with one of their access tokens. */
    public Requester(String userId, String deviceId, boolean isGuest, long tokenId) {
        this(userId, deviceId, isGuest, tokenId, null);
    }

    /** Whether an application service made the request (as itself or as one of its users). */
    public boolean isAppService() {
        return appServiceId != null;
    }
}
