package org.myelin.server.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PushActionRepository.PushAction;
import org.myelin.storage.push.PusherRepository;
import org.myelin.storage.push.PusherRepository.StoredPusher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One HTTP pusher at work (client-server API, "Push Notifications"; push gateway API): it sends
 * the user's push actions after its position to the gateway, one at a time and in order, and
 * stores its position after each acknowledged one, so that a restart sends again what was not
 * acknowledged (the gateway suppresses duplicates by event id).
 *
 * <p>As Synapse's {@code HttpPusher}: a gateway that fails (no answer, or not 2xx) is retried
 * after 1 s, twice as long after each further failure, at most an hour apart; after a day of
 * failures the action is given up, so that a gateway coming back does not get a day of old
 * notifications. A 2xx answer that lists the pusher's pushkey as rejected deletes the pusher.
 * Actions of events the user has read meanwhile are not sent.
 *
 * <p>Wakes run on virtual threads, one at a time per pusher; the retry timer only wakes.
 */
final class HttpPusher {

    private static final Logger LOG = LoggerFactory.getLogger(HttpPusher.class);
    static final int PAGE = 50;
    static final long INITIAL_BACKOFF_MS = 1_000;
    static final long MAX_BACKOFF_MS = 60 * 60 * 1_000;
    static final long GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1_000;

    /**
     * What a pusher works with.
     *
     * @param rejected told when the gateway rejected the pusher's pushkey: it is to be deleted
     */
    record Parts(PushActionRepository actions, PusherRepository pushers, GatewayNotifications notifications,
                 PushGatewayClient gateway, ScheduledExecutorService timer, Clock clock,
                 Consumer<StoredPusher> rejected) {
    }

    private final StoredPusher pusher;
    private final URI url;
    private final Parts parts;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile boolean backingOff;
    private volatile ScheduledFuture<?> retry;
    // Touched by one wake at a time (the running flag orders them).
    private long position;
    private Long failingSince;
    private long backoffMs = INITIAL_BACKOFF_MS;

    HttpPusher(StoredPusher pusher, URI url, Parts parts) {
        this.pusher = pusher;
        this.url = url;
        this.parts = parts;
        this.position = pusher.lastStreamOrdering();
        this.failingSince = pusher.failingSinceTs();
    }

    /** The gateway URL of an HTTP pusher's {@code data}, or empty when it has none usable. */
    static Optional<URI> gatewayUrl(StoredPusher pusher) {
        try {
            ObjectNode data = (ObjectNode) Json.MAPPER.readTree(pusher.dataJson());
            URI url = URI.create(data.path("url").asText(""));
            return url.getHost() == null ? Optional.empty() : Optional.of(url);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    StoredPusher pusher() {
        return pusher;
    }

    /** There may be new push actions for the user: send them (unless waiting to retry). */
    void wake() {
        pending.set(true);
        if (!stopped && !backingOff) {
            drainIfIdle();
        }
    }

    /** Stops for good (the pusher was deleted or replaced). */
    void stop() {
        stopped = true;
        ScheduledFuture<?> scheduled = retry;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    private void drainIfIdle() {
        if (running.compareAndSet(false, true)) {
            Thread.ofVirtual().name("pusher-" + pusher.id()).start(this::drain);
        }
    }

    private void drain() {
        try {
            while (!stopped && !backingOff && pending.getAndSet(false)) {
                sendPending();
            }
        } catch (RuntimeException e) {
            LOG.warn("Pusher {} of {} failed", pusher.id(), pusher.userId(), e);
            retryLater();
        } finally {
            running.set(false);
        }
        if (pending.get() && !stopped && !backingOff) {
            drainIfIdle();
        }
    }

    private void sendPending() {
        while (!stopped && !backingOff) {
            List<PushAction> page = parts.actions().unreadAfter(pusher.userId(), position, PAGE);
            for (PushAction action : page) {
                if (!send(action)) {
                    return;
                }
            }
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    /** Sends one action; false when the pusher must not go on now (stopped, or waiting to retry). */
    private boolean send(PushAction action) {
        Optional<ObjectNode> body = parts.notifications().build(pusher, action);
        if (body.isEmpty()) {
            return advance(action, null);
        }
        PushGatewayClient.Outcome outcome = parts.gateway().post(url, Json.write(body.get()).getBytes());
        return switch (outcome) {
            case PushGatewayClient.Outcome.Delivered delivered -> delivered(action, delivered.rejected());
            case PushGatewayClient.Outcome.Failed failed -> failed(action, failed.reason());
        };
    }

    private boolean delivered(PushAction action, List<String> rejected) {
        if (rejected.contains(pusher.pushkey())) {
            LOG.info("Push gateway rejected pushkey of pusher {} of {}: removing it", pusher.id(), pusher.userId());
            stop();
            parts.rejected().accept(pusher);
            return false;
        }
        backoffMs = INITIAL_BACKOFF_MS;
        return advance(action, parts.clock().millis());
    }

    private boolean failed(PushAction action, String reason) {
        long now = parts.clock().millis();
        if (failingSince == null) {
            failingSince = now;
            parts.pushers().failingSince(pusher.id(), now);
        }
        if (now - failingSince > GIVE_UP_AFTER_MS) {
            LOG.warn("Giving up on a notification to pusher {} of {}: its gateway has failed for a day",
                    pusher.id(), pusher.userId());
            backoffMs = INITIAL_BACKOFF_MS;
            return advance(action, null);
        }
        LOG.info("Push to {} for {} failed ({}); retrying in {} ms", url.getHost(), pusher.userId(), reason,
                backoffMs);
        retryLater();
        return false;
    }

    /** Moves past {@code action}; false if the pusher was deleted meanwhile. */
    private boolean advance(PushAction action, Long successTs) {
        position = action.streamOrdering();
        failingSince = null;
        if (!parts.pushers().advance(pusher.id(), position, successTs)) {
            stop();
            return false;
        }
        return true;
    }

    private void retryLater() {
        backingOff = true;
        long delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        try {
            retry = parts.timer().schedule(() -> {
                backingOff = false;
                wake();
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stop(); // the pool is closing
        }
    }
}
