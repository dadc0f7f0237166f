package org.myelin.storage.accounts;

/**
 * Told, after the commit, of each user some of whose access tokens were deleted or whose account
 * was deactivated, by whatever path (logout, device deletion, password change, login on the same
 * device, refresh, deactivation): so that a cache of token lookups drops that user's tokens at once.
 */
@FunctionalInterface
public interface TokensRevoked {

    void revoked(String userId);

    TokensRevoked NONE = userId -> { };
}
