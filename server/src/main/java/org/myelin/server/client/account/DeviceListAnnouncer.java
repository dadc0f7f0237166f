package org.myelin.server.client.account;

import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Commits a change of a user's device list and announces it: to the /sync of everyone sharing a
 * room with the user, and to other servers. The keys side implements it (see
 * {@code AccountServices.announceDeviceListsWith}); until then a change is only committed.
 */
@FunctionalInterface
public interface DeviceListAnnouncer {

    /** Runs {@code commit}, which returns the device list stream position it took (empty if nothing changed). */
    OptionalLong announce(String userId, Supplier<OptionalLong> commit);

    DeviceListAnnouncer COMMIT_ONLY = (userId, commit) -> commit.get();
}
