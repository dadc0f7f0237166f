package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.storage.keys.DeviceKeyRepository;
import org.myelin.storage.keys.DeviceKeyRepository.StoredDeviceKeys;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Our users' device keys as {@code /keys/query} answers them (with the display name under
 * {@code unsigned}), parsed once and kept until the user's device list changes. A client joining a
 * large encrypted room asks for a thousand users at once, and their keys rarely change: reading and
 * parsing them anew each time was most of such a query (KeysLoad).
 *
 * <p>The kept objects are shared by every answer: callers copy one before changing it.
 *
 * <p>A change committed while a load was reading must not leave the old keys cached. Each change
 * bumps a counter of the user's stripe before dropping the entry; a load notes the stripes before
 * it reads, stores what it read, and drops it again if a stripe moved meanwhile.
 */
final class DeviceKeysCache {

    private static final int MAX_USERS = 50_000;
    private static final int STRIPES = 1024;

    private final DeviceKeyRepository repository;
    private final Cache<String, Map<String, ObjectNode>> byUser =
            Caffeine.newBuilder().maximumSize(MAX_USERS).recordStats().build();
    private final AtomicLongArray changes = new AtomicLongArray(STRIPES);

    DeviceKeysCache(DeviceKeyRepository repository) {
        this.repository = repository;
    }

    /** Each user's devices with keys (device id → keys, in device id order; empty if none). */
    Map<String, Map<String, ObjectNode>> devicesOf(Collection<String> users) {
        Map<String, Map<String, ObjectNode>> found = new HashMap<>(byUser.getAllPresent(users));
        List<String> missing = users.stream().filter(u -> !found.containsKey(u)).distinct().toList();
        if (!missing.isEmpty()) {
            found.putAll(load(missing));
        }
        return found;
    }

    /** The user's device list changed (committed): their keys are read again next time. */
    void changed(String userId) {
        changes.incrementAndGet(stripe(userId));
        byUser.invalidate(userId);
    }

    private Map<String, Map<String, ObjectNode>> load(List<String> users) {
        long[] before = new long[users.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = changes.get(stripe(users.get(i)));
        }
        Map<String, List<String>> allDevices = new LinkedHashMap<>();
        users.forEach(u -> allDevices.put(u, List.of()));
        Map<String, Map<String, ObjectNode>> read = new HashMap<>();
        users.forEach(u -> read.put(u, new TreeMap<>()));
        for (StoredDeviceKeys stored : repository.query(allDevices)) {
            read.get(stored.userId()).put(stored.deviceId(), asAnswered(stored));
        }
        for (int i = 0; i < before.length; i++) {
            String user = users.get(i);
            Map<String, ObjectNode> devices = java.util.Collections.unmodifiableMap(read.get(user));
            read.put(user, devices);
            byUser.put(user, devices);
            if (changes.get(stripe(user)) != before[i]) {
                byUser.invalidate(user); // changed while we read: what we read may be the old list
            }
        }
        return read;
    }

    private static ObjectNode asAnswered(StoredDeviceKeys stored) {
        ObjectNode keys = KeyJson.object(KeyJson.parse(stored.keyJson()), "stored device keys");
        if (stored.displayName() != null) {
            JsonNode unsigned = keys.get("unsigned");
            (unsigned instanceof ObjectNode u ? u : keys.putObject("unsigned"))
                    .put("device_display_name", stored.displayName());
        }
        return keys;
    }

    private static int stripe(String userId) {
        return Math.floorMod(userId.hashCode(), STRIPES);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("device_keys", byUser);
    }
}
