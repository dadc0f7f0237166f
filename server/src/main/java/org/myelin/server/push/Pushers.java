package org.myelin.server.push;

import org.myelin.server.client.account.AccountLifecycle;
import org.myelin.storage.push.PusherRepository;
import org.myelin.storage.push.PusherRepository.NewPusher;
import org.myelin.storage.push.PusherRepository.StoredPusher;

import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Users' pushers (client-server API, {@code GET /pushers}, {@code POST /pushers/set}), kept in
 * step with the {@link PusherPool} at work. A pusher belongs to the device that created it and
 * goes with it (logout, logout from everywhere, a password change that logs out the other
 * devices, a deleted device), as Synapse's {@code remove_pushers_by_devices}.
 */
public final class Pushers implements AccountLifecycle {

    private final PusherRepository repository;
    private final PusherPool pool;
    private final LongSupplier timelinePosition;
    private final Clock clock;

    /**
     * @param timelinePosition the timeline's current position: a pusher set now pushes what comes
     *                         after it
     */
    public Pushers(PusherRepository repository, PusherPool pool, LongSupplier timelinePosition, Clock clock) {
        this.repository = repository;
        this.pool = pool;
        this.timelinePosition = timelinePosition;
        this.clock = clock;
    }

    /** The user's pushers. */
    public List<StoredPusher> of(String userId) {
        return repository.ofUser(userId);
    }

    /**
     * Creates or replaces the user's pusher with this app id and pushkey, made by
     * {@code deviceId}; unless {@code append}, the pushers of other users with the same app id
     * and pushkey are deleted (the device changed hands).
     */
    public void set(String userId, String deviceId, PusherSettings s, boolean append) {
        if (!append) {
            for (StoredPusher other : repository.byAppIdAndPushkey(s.appId(), s.pushkey())) {
                if (!other.userId().equals(userId)) {
                    remove(other.userId(), other.appId(), other.pushkey());
                }
            }
        }
        StoredPusher stored = repository.upsert(new NewPusher(userId, deviceId, s.kind(), s.appId(),
                s.appDisplayName(), s.deviceDisplayName(), s.pushkey(), clock.millis(), s.lang(),
                s.data().toString(), s.profileTag(), timelinePosition.getAsLong()));
        pool.started(stored);
    }

    /** Deletes the user's pusher with this app id and pushkey, if there is one. */
    public void remove(String userId, String appId, String pushkey) {
        repository.find(userId, appId, pushkey).ifPresent(p -> {
            repository.delete(userId, appId, pushkey);
            pool.stopped(p.id());
        });
    }

    @Override
    public void devicesDeleted(String userId, List<String> deviceIds) {
        for (StoredPusher gone : repository.deleteOfDevices(userId, deviceIds)) {
            pool.stopped(gone.id());
        }
    }
}
