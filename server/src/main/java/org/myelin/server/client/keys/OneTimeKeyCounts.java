package org.myelin.server.client.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.client.sync.DeviceKeyCounts;
import org.myelin.storage.keys.OneTimeKeyRepository;
import org.myelin.storage.keys.OneTimeKeyRepository.Counts;

import java.util.Collection;
import java.util.Map;
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
    private final Cache<Device, Counts> cache = Caffeine.newBuilder().maximumSize(DEVICES).recordStats().build();
    /** Moves on every invalidation: counts read while it moved may be stale and are not kept. */
    private final AtomicLong invalidations = new AtomicLong();

    OneTimeKeyCounts(OneTimeKeyRepository store) {
        this.store = store;
    }

    @Override
    public Counts of(String userId, String deviceId) {
        Device device = new Device(userId, deviceId);
        Counts cached = cache.getIfPresent(device);
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
        cache.invalidate(new Device(userId, deviceId));
    }

    void invalidate(String userId, Collection<String> deviceIds) {
        deviceIds.forEach(d -> invalidate(userId, d));
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("one_time_key_counts", cache);
    }
}
