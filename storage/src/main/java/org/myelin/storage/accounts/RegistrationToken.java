package org.myelin.storage.accounts;

/**
 * A token for {@code m.login.registration_token} (client-server API, "Token-authenticated
 * registration"), as Synapse's admin API shows it.
 *
 * @param usesAllowed how many registrations it allows, null for unlimited
 * @param pending     registrations that passed the token stage but have not completed
 * @param completed   registrations completed with it
 * @param expiryTime  when it stops working, milliseconds since the epoch, or null for never
 */
public record RegistrationToken(String token, Integer usesAllowed, int pending, int completed, Long expiryTime) {

    /** Whether it can still admit a registration at {@code now}. */
    public boolean isValid(long now) {
        return (expiryTime == null || expiryTime > now) && (usesAllowed == null || pending + completed < usesAllowed);
    }
}
