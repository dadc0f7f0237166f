package org.myelin.server.client.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.rooms.notify.Notifier;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.sync.SyncResponse.DeviceLists;
import org.myelin.server.client.sync.SyncResponse.EventBatch;
import org.myelin.server.client.sync.filter.SyncFilter;
import org.myelin.server.http.Json;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.keys.OneTimeKeyRepository.Counts;
import org.myelin.storage.streams.ToDeviceRepository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code /sync} (client-server API, "Syncing"): computes what lies between the client's token and
 * the streams' current positions, and when that is nothing, waits on the {@link Notifier} for the
 * user's rooms and the user's own key until something arrives or the timeout passes. The waiter is
 * registered before the positions are read, so a change committed in between still wakes it;
 * there is no polling.
 *
 * <p>An incremental sync costs what changed, not what the user is in: the streams' change caches
 * ({@link org.myelin.server.streams.StreamChangeCache}) say which rooms and which of the user's
 * streams moved since the token, the {@link org.myelin.server.streams.RecentTimeline} holds the
 * rooms' newest events and state, and counts, memberships and summaries are kept between syncs.
 * The store is read where memory cannot answer exactly (a token from before this process
 * started, a gap longer than memory holds, a state change), and then as before.
 */
public final class Sync {

    /** The longest a sync waits, whatever the client asks. */
    public static final long MAX_TIMEOUT_MS = 180_000;
    /** To-device messages per response (as Synapse); the rest come with the next sync. */
    static final int TO_DEVICE_LIMIT = ToDeviceInbox.LIMIT;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * A /sync request.
     *
     * @param since       null for an initial sync
     * @param timeoutMs   how long to wait for news (capped at {@link #MAX_TIMEOUT_MS})
     * @param setPresence   the {@code set_presence} parameter, or null
     * @param useStateAfter the {@code use_state_after} parameter
     */
    public record Request(String userId, String deviceId, SyncFilter filter, SyncToken since, boolean fullState,
                          long timeoutMs, String setPresence, boolean useStateAfter) {
    }

    /** What the sync reads besides rooms. */
    record Sources(AccountDataRepository accountDataChanges, AccountData accountData, ToDeviceInbox toDevice,
                   DeviceListChanges deviceLists, DeviceKeyCounts keyCounts, UserMemberships memberships,
                   SyncPresence presence) {
    }

    private final Streams streams;
    private final Notifier notifier;
    private final RoomSections rooms;
    private final Sources sources;

    Sync(Streams streams, Notifier notifier, RoomSections rooms, Sources sources) {
        this.streams = streams;
        this.notifier = notifier;
        this.rooms = rooms;
        this.sources = sources;
    }

    /** Answers a /sync request, waiting for news when it is incremental and nothing is new yet. */
    public SyncResponse sync(Request request) throws InterruptedException {
        try (SyncPresence.Syncing syncing = sources.presence().syncing(request.userId(), request.setPresence())) {
            return waitForNews(request);
        }
    }

    private SyncResponse waitForNews(Request request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                Math.max(0, Math.min(request.timeoutMs(), MAX_TIMEOUT_MS)));
        boolean mayWait = request.since() != null && !request.fullState();
        while (true) {
            try (Notifier.Waiter waiter = notifier.register(request.userId(), wakeKeys(request.userId()))) {
                SyncResponse response = compute(request, streams.current());
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!response.isEmpty() || !mayWait || remaining <= 0 || !waiter.await(remaining)) {
                    return response;
                }
            }
        }
    }

    /** The user's joined rooms and the user: the keys whose signals concern this sync. */
    private List<String> wakeKeys(String userId) {
        return sources.memberships().wakeKeys(userId, streams.position(StreamId.TIMELINE));
    }

    /** The response for the range from the request's token up to {@code now}. */
    SyncResponse compute(Request request, SyncToken now) {
        SyncToken since = request.since();
        Map<String, List<ObjectNode>> roomAccountData = new HashMap<>();
        List<ObjectNode> globalAccountData = accountData(request, since, now, roomAccountData);
        SyncPass pass = new SyncPass(request.userId(), request.deviceId(), request.filter(), request.fullState(),
                request.useStateAfter(), since, now, roomAccountData);
        SyncResponse.Rooms roomSections = rooms.build(pass);
        List<ObjectNode> presence = sources.presence().changes(request.userId(), pass.after(StreamId.PRESENCE),
                now.position(StreamId.PRESENCE), request.filter().presence());

        List<ToDeviceRepository.Message> toDevice = toDevice(request, pass);
        SyncToken next = now;
        if (toDevice.size() == TO_DEVICE_LIMIT) {
            next = now.with(StreamId.TO_DEVICE, toDevice.getLast().position());
        }
        // A device learns how many of its one-time keys are left, and which fallback keys are
        // unused, in every response, as Synapse tells it (an absent count means none).
        Counts keys = request.deviceId() == null ? null : sources.keyCounts().of(request.userId(), request.deviceId());
        return new SyncResponse(next.toString(), roomSections, new EventBatch(presence),
                new EventBatch(globalAccountData), new EventBatch(ToDeviceInbox.events(toDevice)),
                since == null ? DeviceLists.NONE : sources.deviceLists().between(request.userId(), since, now),
                keys == null ? null : keys.oneTimeKeys(), keys == null ? null : keys.unusedFallbacks());
    }

    /** The global account data of the range; room account data goes into {@code byRoom}. */
    private List<ObjectNode> accountData(Request request, SyncToken since, SyncToken now,
                                         Map<String, List<ObjectNode>> byRoom) {
        long after = since == null ? 0 : since.position(StreamId.ACCOUNT_DATA);
        List<ObjectNode> global = new ArrayList<>();
        java.util.Set<String> storedGlobal = new java.util.HashSet<>();
        boolean mayHaveChanged = since == null || (now.position(StreamId.ACCOUNT_DATA) > after
                && streams.changes(StreamId.ACCOUNT_DATA).mayHaveChanged(request.userId(), after));
        for (AccountDataRepository.Entry e : !mayHaveChanged ? List.<AccountDataRepository.Entry>of()
                : sources.accountDataChanges().changed(request.userId(), after, now.position(StreamId.ACCOUNT_DATA))) {
            if (e.roomId() == null) {
                storedGlobal.add(e.type());
            }
            boolean wanted = e.roomId() == null
                    ? request.filter().accountData().allows(e.type(), null)
                    : request.filter().room().accountData().allows(e.roomId(), e.type(), null, null);
            if (!wanted) {
                continue;
            }
            ObjectNode event = JSON.objectNode().put("type", e.type());
            event.set("content", readObject(e.content()));
            if (e.roomId() == null) {
                global.add(event);
            } else {
                byRoom.computeIfAbsent(e.roomId(), r -> new ArrayList<>()).add(event);
            }
        }
        if (since == null) {
            // An initial sync carries what the server provides, stored or not (push rules).
            sources.accountData().provided(request.userId()).forEach((type, content) -> {
                if (!storedGlobal.contains(type) && request.filter().accountData().allows(type, null)) {
                    global.add(JSON.objectNode().put("type", type).set("content", content));
                }
            });
        }
        return global;
    }

    /** The device's to-device messages of the range, those before it deleted as delivered. */
    private List<ToDeviceRepository.Message> toDevice(Request request, SyncPass pass) {
        if (request.deviceId() == null) {
            return List.of();
        }
        return sources.toDevice().deliver(request.userId(), request.deviceId(), pass.after(StreamId.TO_DEVICE),
                pass.now().position(StreamId.TO_DEVICE), TO_DEVICE_LIMIT);
    }

    /** Stored JSON (account data, to-device content) read back as the object it was. */
    static ObjectNode readObject(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored JSON is not an object", e);
        }
    }
}
