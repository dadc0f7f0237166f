package org.myelin.storage.accounts;

import java.util.Objects;

/**
 * A login: the device it creates (or reuses) and the tokens issued to it, as hashes.
 *
 * @param userId             the account
 * @param deviceId           the device; created if the account has no such device
 * @param initialDisplayName the device's display name if it is created (ignored otherwise)
 * @param accessTokenHash    SHA-256 of the access token
 * @param expiresTs          when the access token expires, or null for never
 * @param refreshTokenHash   SHA-256 of the refresh token, or null when none is issued
 * @param now                the time of the login
 */
public record NewSession(String userId, String deviceId, String initialDisplayName, byte[] accessTokenHash,
                         Long expiresTs, byte[] refreshTokenHash, long now) {
    public NewSession {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(accessTokenHash, "accessTokenHash");
    }
}
