package org.myelin.server.client.keys;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.RoomServices;
import org.myelin.server.client.account.AccountLifecycle;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.sync.DeviceKeyCounts;
import org.myelin.server.client.sync.DeviceListChanges;
import org.myelin.server.http.Routes;
import org.myelin.storage.keys.CrossSigningRepository;
import org.myelin.storage.keys.DeviceKeyRepository;
import org.myelin.storage.keys.OneTimeKeyRepository;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end encryption keys, wired by constructors: device keys, one-time and fallback keys,
 * cross-signing keys and signatures, and what /sync reads of them. Deleting a device deletes its
 * keys (the tables cascade from {@code devices}) and announces the change of the user's device list.
 */
public final class KeysServices {

    private final AccountServices accounts;
    private final OneTimeKeyCounts counts;
    private final KeyUploads uploads;
    private final KeyQueries queries;
    private final KeyClaims claims;
    private final CrossSigning crossSigning;
    private final SignatureUploads signatures;
    private final ServedKeys served;
    private final DeviceKeysCache deviceKeysCache;

    /** @param remote the keys of other servers' users ({@link RemoteKeys#NONE} until federation provides them) */
    public KeysServices(DataSource dataSource, RoomServices rooms, AccountServices accounts, RemoteKeys remote,
                        Clock clock) {
        this.accounts = accounts;
        ServerName local = ServerName.parse(rooms.local.serverName());
        DeviceKeyRepository deviceKeys = new DeviceKeyRepository(dataSource);
        OneTimeKeyRepository oneTimeKeys = new OneTimeKeyRepository(dataSource);
        CrossSigningRepository crossSigningKeys = new CrossSigningRepository(dataSource);
        this.deviceKeysCache = new DeviceKeysCache(deviceKeys);
        ServedKeys[] servedRef = new ServedKeys[1]; // built after the parts it answers from
        DeviceListUpdates updates = new DeviceListUpdates(rooms.streams, rooms.memberships, userId -> {
            deviceKeysCache.changed(userId); // first: other servers are told next, and read the keys
            servedRef[0].changed(userId);
        });
        this.counts = new OneTimeKeyCounts(oneTimeKeys);
        this.uploads = new KeyUploads(deviceKeys, oneTimeKeys, counts, updates, clock);
        this.queries = new KeyQueries(local, deviceKeysCache, crossSigningKeys, remote);
        this.claims = new KeyClaims(local, oneTimeKeys, counts, remote);
        this.crossSigning = new CrossSigning(crossSigningKeys, accounts.accounts, updates, clock);
        this.signatures = new SignatureUploads(deviceKeys, crossSigningKeys, updates);
        this.served = new ServedKeys(local, queries, claims);
        servedRef[0] = this.served;
        accounts.announceDeviceListsWith(updates::announce);
        accounts.addLifecycleListener(new AccountLifecycle() {
            @Override
            public void devicesDeleted(String userId, List<String> deviceIds) {
                counts.invalidate(userId, deviceIds);
                updates.announce(userId, () -> java.util.OptionalLong.of(deviceKeys.devicesDeleted(userId, deviceIds)));
            }
        });
    }

    /** Our users' keys as other servers get them. */
    public ServedKeys served() {
        return served;
    }

    /** The caches of the keys, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new HashMap<>(deviceKeysCache.caches());
        caches.putAll(counts.caches());
        return caches;
    }

    /** Key uploads, for devices that upload their keys other than by {@code POST /keys/upload} (a dehydrated device). */
    public KeyUploads uploads() {
        return uploads;
    }

    /** What /sync tells each device of its one-time and fallback keys. */
    public DeviceKeyCounts counts() {
        return counts;
    }

    /** The keys endpoints; {@code changes} answers {@code GET /keys/changes}. */
    public List<Routes> routes(DeviceListChanges changes, RoomServices rooms) {
        return List.of(
                new KeyUploadRoutes(accounts.authenticator, uploads),
                new KeyQueryRoutes(accounts.authenticator, queries),
                new KeyClaimRoutes(accounts.authenticator, claims),
                new KeyChangesRoutes(accounts.authenticator, changes, rooms.streams),
                new CrossSigningRoutes(accounts.authenticator, crossSigning, signatures, accounts.uia,
                        accounts::passwordFlow));
    }
}
