package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.myelin.server.client.auth.Tokens;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room deletions running in the background (Synapse's {@code DELETE /_synapse/admin/v2/rooms/{roomId}}):
 * each has a {@code delete_id} whose status is kept in this process for a day after it ends, as
 * Synapse keeps it (until a restart). One deletion of a room at a time.
 */
final class RoomDeletions {

    private static final Logger LOG = LoggerFactory.getLogger(RoomDeletions.class);
    private static final long KEPT_MS = 24 * 3600 * 1000L;

    /** One deletion as the status endpoints show it; {@code error} only when it failed. */
    record Task(String deleteId, String roomId, String status, String error,
                @JsonInclude(JsonInclude.Include.ALWAYS) ShutdownResult shutdownRoom) {
    }

    private record Entry(Task task, long endedAt) {
    }

    private final RoomShutdown shutdown;
    private final RoomPurger purger;
    private final MembershipRepository memberships;
    private final Clock clock;
    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

    RoomDeletions(RoomShutdown shutdown, RoomPurger purger, MembershipRepository memberships, Clock clock) {
        this.shutdown = shutdown;
        this.purger = purger;
        this.memberships = memberships;
        this.clock = clock;
    }

    /** Starts deleting the room; 400 while another deletion of it is running. Returns the delete id. */
    synchronized String start(String roomId, ShutdownRequest request) {
        prune();
        boolean running = tasks.values().stream().anyMatch(e -> e.task().roomId().equals(roomId)
                && (e.task().status().equals("scheduled") || e.task().status().equals("active")));
        if (running) {
            throw MatrixException.unknownBadRequest("Purge already in progress for " + roomId);
        }
        String deleteId = Tokens.randomText(12).replace('-', 'x').replace('_', 'y');
        update(new Task(deleteId, roomId, "scheduled", null, ShutdownResult.NONE), 0);
        Thread.ofVirtual().name("room-delete-" + deleteId).start(() -> run(deleteId, roomId, request));
        return deleteId;
    }

    private void run(String deleteId, String roomId, ShutdownRequest request) {
        ShutdownResult[] result = {ShutdownResult.NONE};
        try {
            update(new Task(deleteId, roomId, "active", null, result[0]), 0);
            result[0] = shutdown.shutdown(roomId, request, partial -> {
                result[0] = partial;
                update(new Task(deleteId, roomId, "active", null, partial), 0);
            });
            update(new Task(deleteId, roomId, "active", null, result[0]), 0);
            purgeIfAsked(roomId, request);
            update(new Task(deleteId, roomId, "complete", null, result[0]), clock.millis());
        } catch (RuntimeException e) {
            LOG.warn("Deleting {} failed", roomId, e);
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            update(new Task(deleteId, roomId, "failed", error, result[0]), clock.millis());
        }
    }

    /**
     * Deletes the room at once, as {@code DELETE /_synapse/admin/v1/rooms/{roomId}} does: the
     * shutdown's result once the purge (if asked) is done.
     */
    ShutdownResult runNow(String roomId, ShutdownRequest request) {
        ShutdownResult result = shutdown.shutdown(roomId, request, partial -> { });
        purgeIfAsked(roomId, request);
        return result;
    }

    /** Purges the room if asked; refused while local users are still in it, unless forced. */
    private void purgeIfAsked(String roomId, ShutdownRequest request) {
        if (!request.purge()) {
            return;
        }
        if (!request.forcePurge() && stillJoined(roomId)) {
            throw MatrixException.unknownBadRequest("Users are still joined to this room");
        }
        purger.purge(roomId);
    }

    private boolean stillJoined(String roomId) {
        return memberships.members(roomId, "join").stream().anyMatch(m -> shutdownIsLocal(m.userId()));
    }

    private boolean shutdownIsLocal(String userId) {
        return shutdown.isLocal(userId);
    }

    Optional<Task> byId(String deleteId) {
        prune();
        return Optional.ofNullable(tasks.get(deleteId)).map(Entry::task);
    }

    List<Task> byRoom(String roomId) {
        prune();
        List<Task> found = new ArrayList<>();
        tasks.values().stream().map(Entry::task).filter(t -> t.roomId().equals(roomId)).forEach(found::add);
        return found;
    }

    private void update(Task task, long endedAt) {
        tasks.put(task.deleteId(), new Entry(task, endedAt));
    }

    private void prune() {
        long now = clock.millis();
        tasks.values().removeIf(e -> e.endedAt() > 0 && now - e.endedAt() > KEPT_MS);
    }
}
