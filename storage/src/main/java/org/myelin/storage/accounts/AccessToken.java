package org.myelin.storage.accounts;

/**
 * A stored access token, found by its hash, with what authentication needs of its account.
 *
 * @param id             the token's row id (what /logout revokes)
 * @param expiresTs      when it expires, or null for never
 * @param refreshTokenId the refresh token issued with it, or null
 * @param used           whether it has authenticated a request yet
 * @param locked         whether an admin locked the account (its tokens are refused with M_USER_LOCKED)
 */
public record AccessToken(long id, String userId, String deviceId, Long expiresTs, Long refreshTokenId, boolean used,
                          boolean isGuest, boolean deactivated, boolean locked) {

    /** A token of an account that is not locked. */
    public AccessToken(long id, String userId, String deviceId, Long expiresTs, Long refreshTokenId, boolean used,
                       boolean isGuest, boolean deactivated) {
        this(id, userId, deviceId, expiresTs, refreshTokenId, used, isGuest, deactivated, false);
    }
}
