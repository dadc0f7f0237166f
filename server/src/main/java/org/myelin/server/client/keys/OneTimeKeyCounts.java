package org.myelin.server.client.keys;

import org.myelin.rooms.cache.StripedLru;
import org.myelin.server.client.sync.DeviceKeyCounts;
import org.myelin.storage.keys.OneTimeKeyRepository;
import org.myelin.storage.keys.OneTimeKeyRepository.Counts;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each device's one-time key counts and unused fallback key algorithms, kept in memory between
 * /sync requests: they change only through this process's uploads, claims and device deletions,
 * which {@link #invalidate} them. (With several processes, a claim served by another one must
 * invalidate here too; that goes with the rest of DESIGN.md's "Several processes".)
 */
final class OneTimeKeyCounts implements DeviceKeyCounts {

    private static final int DEVICES = 100_000;

    private record Device(String userId, String deviceId) {
    }

    private final OneTimeKeyRepository store;
    private final StripedLru<Device, Counts> cache = new StripedLru<>(DEVICES);
    /** Moves on every invalidation: counts read while it moved may be stale and are not kept. */
    private final AtomicLong invalidations = new AtomicLong();

    OneTimeKeyCounts(OneTimeKeyRepository store) {
        this.store = store;
    }

    @Override
    public Counts of(String userId, String deviceId) {
        Device device = new Device(userId, deviceId);
        Counts cached = cache.get(device);
        if (cached != null) {
            return cached;
        }
        long before = invalidations.get();
        Counts read = store.counts(userId, deviceId);
        if (invalidations.get() == before) {
            cache.put(device, read);
        }
        return read;
    }

    /** The device's keys changed (call after the change is committed). */
    void invalidate(String userId, String deviceId) {
        invalidations.incrementAndGet();
        cache.remove(new Device(userId, deviceId));
    }

    void invalidate(String userId, Collection<String> deviceIds) {
        deviceIds.forEach(d -> invalidate(userId, d));
    }
}
