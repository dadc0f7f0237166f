package org.myelin.server.client.sync;

import org.myelin.storage.keys.OneTimeKeyRepository.Counts;

/**
 * What /sync tells a device about its end-to-end encryption keys ({@code device_one_time_keys_count},
 * {@code device_unused_fallback_key_types}); the keys endpoints provide it. It must answer from
 * memory when nothing changed: a sync with nothing new makes no query.
 */
public interface DeviceKeyCounts {

    /** None: for a server wired without the keys endpoints. */
    DeviceKeyCounts NONE = (userId, deviceId) -> Counts.NONE;

    /** The device's unclaimed one-time keys per algorithm and its unused fallback key algorithms. */
    Counts of(String userId, String deviceId);
}
