package org.myelin.server.push;

import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PusherRepository;
import org.myelin.storage.push.PusherRepository.StoredPusher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The pushers at work in this process, one {@link HttpPusher} per stored pusher of kind
 * {@code http} (as Synapse's {@code PusherPool}): all started with the server, each catching up
 * from its stored position; started, replaced and stopped as clients set and delete them; woken
 * when their users get new push actions.
 */
public final class PusherPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PusherPool.class);

    private final PusherRepository repository;
    private final HttpPusher.Parts parts;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pusher-retries").daemon().factory());
    private final PushGatewayClient gateway;
    private final Map<Long, HttpPusher> running = new ConcurrentHashMap<>();

    PusherPool(PusherRepository repository, PushActionRepository actions, GatewayNotifications notifications,
               PushGatewayClient gateway, Clock clock) {
        this.repository = repository;
        this.gateway = gateway;
        this.parts = new HttpPusher.Parts(actions, repository, notifications, gateway, timer, clock, this::rejected);
    }

    /** Starts every stored pusher, each from its position. */
    public void start() {
        for (StoredPusher p : repository.all()) {
            started(p);
        }
        LOG.info("Started {} pushers", running.size());
    }

    /** Starts (or restarts, replacing the one at work) the pusher {@code p} as stored now. */
    void started(StoredPusher p) {
        Optional<URI> url = "http".equals(p.kind()) ? HttpPusher.gatewayUrl(p) : Optional.empty();
        if (url.isEmpty()) {
            stopped(p.id());
            return;
        }
        HttpPusher pusher = new HttpPusher(p, url.get(), parts);
        HttpPusher replaced = running.put(p.id(), pusher);
        if (replaced != null) {
            replaced.stop();
        }
        pusher.wake();
    }

    /** Stops the pusher with this id, if it is at work. */
    void stopped(long id) {
        HttpPusher gone = running.remove(id);
        if (gone != null) {
            gone.stop();
        }
    }

    /** Wakes the pushers of {@code userIds}: they have new push actions. */
    public void wake(Collection<String> userIds) {
        for (HttpPusher p : running.values()) {
            if (userIds.contains(p.pusher().userId())) {
                p.wake();
            }
        }
    }

    /** The gateway rejected the pusher's pushkey: the pusher is deleted. */
    private void rejected(StoredPusher p) {
        repository.delete(p.userId(), p.appId(), p.pushkey());
        stopped(p.id());
    }

    @Override
    public void close() {
        running.values().forEach(HttpPusher::stop);
        running.clear();
        timer.shutdownNow();
        gateway.close();
    }
}
