package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.CreateRoomRequest;
import org.myelin.server.testing.TestHomeserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;

/**
 * Rooms and memberships made in bulk for benchmarks, through the services the client-server API
 * calls ({@code createRoom}, {@code join}, {@code send}), in this process: every event is built,
 * signed, authorised and persisted by the one event pipeline with its state snapshots, as for a
 * client's request, without the HTTP round trips. Rooms are made {@code parallel} at a time, each
 * room's events one after the other (as its clients would); the pipeline's persister commits the
 * events of rooms in flight together.
 */
final class BulkRooms {

    /**
     * Rooms made at a time, by default: enough for the persister to commit many rooms' events
     * together, few enough to keep each room's events one after the other.
     */
    static final int PARALLEL = 32;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A registered user: who its requests are from (user and device), and its access token. */
    record Member(String userId, String deviceId, String accessToken) {
        Requester requester() {
            return new Requester(userId, deviceId, false, 0);
        }
    }

    /** Registers {@code localpart} through {@code POST /register} (the dummy flow), as a client does. */
    static Member register(MatrixHttp http, String localpart) {
        ObjectNode body = JSON.objectNode().put("username", localpart).put("password", "bench-" + localpart);
        body.putObject("auth").put("type", "m.login.dummy");
        try {
            JsonNode r = http.ok("POST", "/_matrix/client/v3/register", null, body);
            return new Member(r.path("user_id").asText(), r.path("device_id").asText(), r.path("access_token").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Registers {@code count} users, {@code prefix} and their number, 8 at a time. */
    static List<Member> register(MatrixHttp http, String prefix, int count) {
        return inParallel(count, 8, i -> register(http, prefix + i));
    }

    /**
     * One room to make: {@code creator} creates it with {@code preset} and {@code name} (null: none),
     * inviting {@code invited}; then {@code joining} join it, one after the other.
     */
    record Room(Member creator, String preset, String name, List<Member> invited, List<Member> joining) {
    }

    private final ClientRooms rooms;
    private final int parallel;
    private final AtomicLong joins = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();

    BulkRooms(TestHomeserver hs, int parallel) {
        this.rooms = hs.homeserver().clientRooms();
        this.parallel = parallel;
    }

    /** The joins made so far (creators' own joins not counted). */
    long joins() {
        return joins.get();
    }

    /**
     * Makes {@code count} rooms, {@code room.apply(i)} the i-th, {@code parallel} at a time; their
     * ids in order. {@code progress} is told the joins made after each room.
     */
    List<String> make(int count, IntFunction<Room> room, LongConsumer progress) {
        return make(count, room, roomId -> { }, progress);
    }

    /** As {@link #make(int, IntFunction, LongConsumer)}, running {@code then} on each room once it is made. */
    List<String> make(int count, IntFunction<Room> room, Consumer<String> then, LongConsumer progress) {
        return inParallel(count, parallel, i -> {
            String roomId = make(room.apply(i));
            then.accept(roomId);
            progress.accept(joins.get());
            return roomId;
        });
    }

    /** Makes one room; its id. */
    String make(Room room) {
        List<String> invite = room.invited().stream().map(Member::userId).toList();
        CreateRoomRequest request = new CreateRoomRequest(null, null, room.name(), null, invite, null, null, null,
                null, room.preset(), null, null);
        String roomId = rooms.creation.create(room.creator().requester(), request);
        for (Member member : room.joining()) {
            join(member, roomId);
        }
        return roomId;
    }

    /** {@code member} joins {@code roomId}, as {@code POST /join} with an empty body does. */
    void join(Member member, String roomId) {
        rooms.memberships.join(member.requester(), roomId, List.of(), null);
        joins.incrementAndGet();
    }

    /** {@code sender} sends a text message to {@code roomId} in a transaction of its own; the event id. */
    String send(Member sender, String roomId, String body) {
        ObjectNode content = JSON.objectNode().put("msgtype", "m.text").put("body", body);
        return rooms.actions.sendMessage(sender.requester(), roomId, "m.room.message", content,
                "bulk" + transactions.incrementAndGet());
    }

    /** {@code task} for 0 to {@code count - 1} on virtual threads, {@code atOnce} at a time; results in order. */
    static <T> List<T> inParallel(int count, int atOnce, IntFunction<T> task) {
        Semaphore permits = new Semaphore(atOnce);
        List<Future<T>> futures = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int n = i;
                permits.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        return task.apply(n);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            throw new IllegalStateException("seeding failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
