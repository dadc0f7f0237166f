package org.myelin.storage.accounts;

/**
 * A local account as stored.
 *
 * @param userId       the full user id
 * @param passwordHash the PHC-format password hash, null for guests and deactivated accounts
 * @param isAdmin      whether the account may use the admin API
 * @param isGuest      whether it is a guest account
 * @param deactivated  whether it was deactivated (it keeps its id forever)
 * @param createdTs    when it was registered, milliseconds since the epoch
 */
public record Account(String userId, String passwordHash, boolean isAdmin, boolean isGuest, boolean deactivated,
                      long createdTs) {
}
