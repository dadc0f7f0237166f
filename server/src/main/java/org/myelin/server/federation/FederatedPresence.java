package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.federation.outbound.Edu;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.presence.PresenceState;
import org.myelin.server.client.presence.PresenceStatus;
import org.myelin.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Presence between servers (server-server API, "Presence"): our users' presence goes out as
 * {@code m.presence} EDUs to every server that shares a room with them, and other servers'
 * updates of their users are kept and served like ours.
 *
 * <p>Our users go idle and offline by timeouts computed when presence is read, not by events, so
 * a sweep every few seconds looks for the users whose presence, as last sent, has changed; and
 * an online user's presence is sent again every {@link #RENEW_MS}, before the other servers
 * time it out (Synapse's FEDERATION_PING_INTERVAL and FEDERATION_TIMEOUT).
 */
final class FederatedPresence implements PresenceService.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedPresence.class);
    static final long SWEEP_MS = 5_000;
    static final long RENEW_MS = 25 * 60 * 1000;

    /** What the servers sharing a room with the user were last told. */
    private record Sent(PresenceState state, String statusMsg, Boolean currentlyActive, long at) {
        boolean sameAs(PresenceStatus s) {
            return state == s.presence() && Objects.equals(statusMsg, s.statusMsg())
                    && Objects.equals(currentlyActive, s.currentlyActive());
        }
    }

    private final LocalServer local;
    private final Function<String, Set<String>> serversSharingARoom;
    private final Predicate<String> inOurRooms;
    private final PresenceService presence;
    private final BiConsumer<Set<String>, Edu> send;
    private final Clock clock;
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-sweep").daemon(true).factory());

    /**
     * @param serversSharingARoom the servers in the rooms a user is joined to (ours among them or not)
     * @param inOurRooms          whether a user is joined to a room this server is in
     * @param send                queues an EDU for each of the servers
     */
    FederatedPresence(LocalServer local, Function<String, Set<String>> serversSharingARoom,
                      Predicate<String> inOurRooms, PresenceService presence, BiConsumer<Set<String>, Edu> send,
                      Clock clock) {
        this.local = local;
        this.serversSharingARoom = serversSharingARoom;
        this.inOurRooms = inOurRooms;
        this.presence = presence;
        this.send = send;
        this.clock = clock;
    }

    /** Starts the sweep, every {@link #SWEEP_MS}. */
    FederatedPresence start() {
        // On the sweeper's own thread (no event loop), so that a slow sweep delays the next
        // instead of overlapping it.
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** A change on the presence stream: if it is one of our users', the servers sharing a room hear of it. */
    @Override
    public void changed(String userId, long position) {
        if (local.isLocalUser(userId)) {
            sendIfChanged(userId, false);
        }
    }

    /**
     * An {@code m.presence} update from {@code origin} (checked to be its user's by the receiver);
     * kept only for a user in one of our rooms, the only users whose presence ours may see, so
     * that a server cannot fill our store with users nobody here can see.
     */
    void received(InboundEdus.Presence update) {
        if (!inOurRooms.test(update.userId())) {
            return;
        }
        PresenceState state = PresenceState.fromWire(update.presence()).orElse(null);
        if (state == null) {
            LOG.info("Skipping presence {} for {}: not a presence state", update.presence(), update.userId());
            return;
        }
        if (!PresenceStatus.withinLimit(update.statusMessage())) {
            LOG.info("Skipping presence for {}: status message over {} characters", update.userId(),
                    PresenceStatus.MAX_STATUS_MSG_LENGTH);
            return;
        }
        presence.received(update.userId(), state, update.statusMessage(), update.lastActiveAgo());
    }

    /** Sends what has changed by a timeout since it was last sent, and renews what is due. */
    void sweep() {
        try {
            long now = clock.millis();
            sent.forEach((userId, last) -> sendIfChanged(userId, now - last.at() >= RENEW_MS));
        } catch (RuntimeException e) {
            LOG.warn("Presence sweep failed: {}", e.toString());
        }
    }

    private void sendIfChanged(String userId, boolean renew) {
        PresenceStatus status = presence.get(userId);
        Sent last = sent.get(userId);
        if (last == null ? status.presence() == PresenceState.OFFLINE : last.sameAs(status) && !renew) {
            return;
        }
        Set<String> destinations = new LinkedHashSet<>(serversSharingARoom.apply(userId));
        destinations.remove(local.serverName());
        if (status.presence() == PresenceState.OFFLINE) {
            sent.remove(userId); // offline needs no renewal
        } else {
            sent.put(userId, new Sent(status.presence(), status.statusMsg(), status.currentlyActive(), clock.millis()));
        }
        if (destinations.isEmpty()) {
            return;
        }
        ObjectNode update = Json.MAPPER.createObjectNode().put("user_id", userId)
                .put("presence", status.presence().wire())
                .put("last_active_ago", status.lastActiveAgo() == null ? 0 : status.lastActiveAgo());
        if (status.statusMsg() != null) {
            update.put("status_msg", status.statusMsg());
        }
        if (status.currentlyActive() != null) {
            update.put("currently_active", status.currentlyActive());
        }
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.putArray("push").add(update);
        send.accept(destinations, new Edu("m.presence", content));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
