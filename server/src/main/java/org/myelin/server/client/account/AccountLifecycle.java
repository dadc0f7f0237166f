package org.myelin.server.client.account;

import java.util.List;

/**
 * What other parts of the server must do when devices go away or an account is deactivated
 * (register one with {@code AccountServices.addLifecycleListener}). Called after the change is
 * committed, on the request's thread; a listener that fails is logged, never undoes it.
 *
 * <p>A deleted device's end-to-end encryption keys go with its row (the key tables cascade);
 * {@code KeysServices} listens to drop the signatures on it and announce the change of the user's
 * device list. Still to be implemented by their owners: leaving every room, rejecting invites and
 * erasing the profile when an account is deactivated (spec, "Account deactivation").
 */
public interface AccountLifecycle {

    /** Devices of {@code userId} were deleted (logout, device deletion, password change). */
    default void devicesDeleted(String userId, List<String> deviceIds) {
    }

    /** {@code userId} was deactivated (its devices were reported deleted just before). */
    default void accountDeactivated(String userId) {
    }
}
