package org.myelin.server.client.account;

import java.util.List;

/**
 * What other parts of the server must do when devices go away or an account is deactivated
 * (register one with {@code AccountServices.addLifecycleListener}). Called after the change is
 * committed, on the request's thread; a listener that fails is logged, never undoes it.
 *
 * <p>Still to be implemented by their owners: deleting device keys and one-time keys and
 * sending device-list updates (E2EE) when devices are deleted; leaving every room, rejecting
 * invites and erasing the profile when an account is deactivated (spec, "Account
 * deactivation").
 */
public interface AccountLifecycle {

    /** Devices of {@code userId} were deleted (logout, device deletion, password change). */
    default void devicesDeleted(String userId, List<String> deviceIds) {
    }

    /** {@code userId} was deactivated (its devices were reported deleted just before). */
    default void accountDeactivated(String userId) {
    }
}
