package org.myelin.server.client.receipts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.EventId;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.RoomServices;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.rooms.EventThreads;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.Set;

/**
 * Receipts (client-server API, "Receipts") and the fully read marker ("Read and unread markers").
 * A receipt or marker only moves forward: one for an event before the current one changes
 * nothing. Receipts take positions in the receipts stream and wake the room's syncs; the fully
 * read marker is the room's {@code m.fully_read} account data.
 */
public final class Receipts {

    public static final String READ = "m.read";
    public static final String READ_PRIVATE = "m.read.private";
    public static final String FULLY_READ = "m.fully_read";
    /** The thread id of a receipt on the main timeline (client-server API, "Threaded read receipts"). */
    public static final String MAIN_THREAD = "main";
    static final Set<String> TYPES = Set.of(READ, READ_PRIVATE, FULLY_READ);

    /** Told of each public receipt a user sends here (federation sends them on). */
    @FunctionalInterface
    public interface Listener {
        void receipt(String roomId, String type, String userId, String eventId, String threadId, long ts);
    }

    private final ReceiptRepository receipts;
    private volatile Listener listener = (roomId, type, userId, eventId, threadId, ts) -> { };
    private final AccountData accountData;
    private final MembershipRepository memberships;
    private final EventCache events;
    private final Streams streams;
    private final Clock clock;
    private final EventThreads threads;
    private final List<Consumer<ReceiptRepository.NewReceipt>> listeners = new CopyOnWriteArrayList<>();

    public Receipts(ReceiptRepository receipts, AccountData accountData, RoomServices rooms, EventThreads threads) {
        this.receipts = receipts;
        this.threads = threads;
        this.accountData = accountData;
        this.memberships = rooms.memberships;
        this.events = rooms.eventCache;
        this.streams = rooms.streams;
        this.clock = rooms.clock;
    }

    /** Who else hears of public receipts (federation, application services): each added listener. */
    public void listen(Listener newListener) {
        Listener before = this.listener;
        this.listener = (roomId, type, userId, eventId, threadId, ts) -> {
            before.receipt(roomId, type, userId, eventId, threadId, ts);
            newListener.receipt(roomId, type, userId, eventId, threadId, ts);
        };
    }

    /**
     * {@code userId} sends a receipt of {@code type} for {@code eventId} ({@code threadId} null for
     * an unthreaded one); {@code m.fully_read} moves the read marker instead. A threaded receipt
     * must name an event of its thread (400 M_INVALID_PARAM otherwise, as Synapse answers).
     */
    public void receipt(String userId, String roomId, String type, String eventId, String threadId) {
        StoredEvent event = checked(userId, roomId, eventId);
        if (threadId != null && !threads.receiptFits(event, threadId)) {
            throw MatrixException.invalidParam("event_id " + eventId + " is not related to thread " + threadId);
        }
        if (type.equals(FULLY_READ)) {
            moveFullyRead(userId, roomId, event);
            return;
        }
        ReceiptRepository.NewReceipt receipt = new ReceiptRepository.NewReceipt(roomId, type, userId, threadId,
                eventId, event.streamOrdering(), clock.millis());
        streams.write(StreamId.RECEIPTS, List.of(roomId), () -> {
            OptionalLong position = receipts.put(receipt);
            if (position.isPresent()) {
                listeners.forEach(l -> l.accept(receipt));
                if (type.equals(READ)) {
                    listener.receipt(roomId, type, userId, eventId, threadId, receipt.ts());
                }
            }
            return position;
        });
    }

    /**
     * A public read receipt another server sent for one of its users (already checked to be its
     * user in a room it may speak in): stored, announced to the room's syncs, and told to the
     * listeners as Synapse's notifier does for every receipt, so that application services hear of
     * remote users' receipts too (federation skips what is not its own users').
     */
    public void received(ReceiptRepository.NewReceipt receipt) {
        streams.write(StreamId.RECEIPTS, List.of(receipt.roomId()), () -> {
            OptionalLong position = receipts.put(receipt);
            if (position.isPresent()) {
                listener.receipt(receipt.roomId(), receipt.receiptType(), receipt.userId(), receipt.eventId(),
                        receipt.threadId(), receipt.ts());
            }
            return position;
        });
    }

    /**
     * Whether {@code threadId} can name a thread: {@link #MAIN_THREAD} or the id of the thread's
     * root event: the shape, which bounds what a server can make us store (a client's receipt is
     * also checked against the thread, {@link EventThreads#receiptFits}).
     */
    public static boolean isThreadId(String threadId) {
        return MAIN_THREAD.equals(threadId) || EventId.isValid(threadId);
    }

    /**
     * Adds {@code listener}, told of each receipt once it is stored and before its position is
     * announced (read positions for notification counts).
     */
    public void onStored(Consumer<ReceiptRepository.NewReceipt> listener) {
        listeners.add(listener);
    }

    /** Moves {@code userId}'s fully read marker in the room to {@code eventId}, if that is forward. */
    public void fullyRead(String userId, String roomId, String eventId) {
        moveFullyRead(userId, roomId, checked(userId, roomId, eventId));
    }

    private void moveFullyRead(String userId, String roomId, StoredEvent event) {
        String current = accountData.get(userId, roomId, FULLY_READ).map(c -> c.path("event_id").asText(null))
                .orElse(null);
        if (current != null) {
            StoredEvent previous = events.stored(current);
            if (current.equals(event.eventId()) || (previous != null && previous.streamOrdering() != null
                    && previous.streamOrdering() >= event.streamOrdering())) {
                return;
            }
        }
        ObjectNode content = Json.MAPPER.createObjectNode().put("event_id", event.eventId());
        accountData.put(userId, roomId, FULLY_READ, content);
    }

    /**
     * The event a receipt or marker points at: the user must be in the room (403) and the event a
     * visible event of the room's timeline (404).
     */
    private StoredEvent checked(String userId, String roomId, String eventId) {
        boolean joined = memberships.of(roomId, userId).map(m -> m.membership().equals("join")).orElse(false);
        if (!joined) {
            throw MatrixException.forbidden("You are not in room " + roomId);
        }
        StoredEvent event = events.stored(eventId);
        if (event == null || !event.pdu().roomId().equals(roomId) || !event.isVisibleInTimeline()) {
            throw MatrixException.notFound("Unknown event " + eventId + " in room " + roomId);
        }
        return event;
    }
}
