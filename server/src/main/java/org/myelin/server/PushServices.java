package org.myelin.server;

import com.github.benmanes.caffeine.cache.Cache;
import io.vertx.core.Vertx;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.push.NotifiedUsers;
import org.myelin.server.client.push.Notifications;
import org.myelin.server.client.push.NotificationsRoutes;
import org.myelin.server.client.push.PushActionRecorder;
import org.myelin.server.client.push.PushEvaluation;
import org.myelin.server.client.push.PushersRoutes;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Routes;
import org.myelin.server.push.PushDelivery;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PusherRepository;
import org.myelin.storage.receipts.ReceiptRepository;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Notifications and push (client-server API, "Push Notifications"), wired by constructors: the
 * recorder of push actions on every committed event, {@code GET /notifications}, the users'
 * pushers and the HTTP pushers that deliver to push gateways, woken by the recorder.
 *
 * <pre>{@code
 * PushServices push = new PushServices(dataSource, rooms, users.push, clientRooms.clientEvents, ...);
 * accounts.addLifecycleListener(push.delivery.pushers);   // a device's pushers go with it
 * push.start();                                           // after every commit listener is in place
 * }</pre>
 */
final class PushServices implements AutoCloseable {

    final PushActionRecorder recorder;
    final Notifications notifications;
    final PushDelivery delivery;
    private final RoomServices rooms;

    PushServices(DataSource dataSource, RoomServices rooms, PushEvaluation push, NotifiedUsers notified,
                 ClientEvents clientEvents, Vertx vertx, HomeserverConfig.Federation federation) {
        this.rooms = rooms;
        Clock clock = rooms.clock;
        LongSupplier timeline = () -> rooms.streams.position(StreamId.TIMELINE);
        PushActionRepository actions = new PushActionRepository(dataSource);
        this.recorder = new PushActionRecorder(new PushActionRecorder.Parts(notified, rooms.events, actions), push,
                clock);
        this.notifications = new Notifications(actions, recorder, timeline, rooms.eventCache, clientEvents,
                new ReceiptRepository(dataSource));
        this.delivery = new PushDelivery(new PushDelivery.Parts(actions, new PusherRepository(dataSource),
                rooms.eventCache, rooms.heads, timeline), vertx, federation, clock);
        recorder.onRecorded(delivery.pool::wake);
    }

    /**
     * Starts recording push actions (first catching up on what committed while the server was
     * down) and the pushers, each from its stored position.
     */
    void start() {
        rooms.onCommit(recorder::committed);
        // Read after the listener is in: an event committed in between is seen twice, never missed.
        recorder.start(rooms.events.maxStreamOrdering());
        delivery.pool.start();
    }

    List<Routes> routes(Authenticator authenticator) {
        return List.of(new NotificationsRoutes(authenticator, notifications),
                new PushersRoutes(authenticator, delivery.pushers));
    }

    @Override
    public void close() {
        delivery.close();
        recorder.close();
    }

    /** Push's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return recorder.caches();
    }
}
