package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.sync.filter.RoomEventFilter;
import org.myelin.server.client.typing.TypingNotifications;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.storage.receipts.ReceiptRepository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code ephemeral} part of rooms in /sync: {@code m.typing} (who types now, when that changed
 * since the previous sync) and {@code m.receipt} (the receipts that changed, batched into one event
 * per room as the spec recommends; an {@code m.read.private} receipt only for its own user).
 */
public final class Ephemerals {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final String PRIVATE_READ = "m.read.private";

    private final ReceiptRepository receipts;
    private final TypingNotifications typing;
    private final StreamChangeCache receiptChanges;

    Ephemerals(ReceiptRepository receipts, TypingNotifications typing, StreamChangeCache receiptChanges) {
        this.receipts = receipts;
        this.typing = typing;
        this.receiptChanges = receiptChanges;
    }

    /**
     * The ephemeral events of {@code roomIds} for the pass: receipts of its range, typing changes
     * after {@code typingAfter}, as the ephemeral filter lets through.
     */
    Map<String, List<ObjectNode>> of(SyncPass p, Collection<String> roomIds, long typingAfter) {
        RoomEventFilter filter = p.filter().room().ephemeral();
        Map<String, List<ObjectNode>> byRoom = new HashMap<>();
        for (String roomId : roomIds) {
            if (filter.allows(roomId, "m.typing", null, null)) {
                typing(roomId, typingAfter).ifPresent(event -> byRoom.computeIfAbsent(roomId, r -> new ArrayList<>())
                        .add(event));
            }
        }
        List<String> wantReceipts = roomIds.stream().filter(r -> filter.allows(r, "m.receipt", null, null)).toList();
        receipts(p.userId(), wantReceipts, p.after(StreamId.RECEIPTS), p.now().position(StreamId.RECEIPTS))
                .forEach((roomId, event) -> byRoom.computeIfAbsent(roomId, r -> new ArrayList<>()).add(event));
        return byRoom;
    }

    /** The room's {@code m.typing} event: who types now, if that changed after typing position {@code after}. */
    public Optional<ObjectNode> typing(String roomId, long after) {
        return typing.changedSince(roomId, after).map(users -> {
            ObjectNode event = JSON.objectNode().put("type", "m.typing");
            users.forEach(event.putObject("content").putArray("user_ids")::add);
            return event;
        });
    }

    /**
     * One {@code m.receipt} event per room of {@code roomIds} with receipts at positions in
     * ({@code after}, {@code upTo}] (all of a room's receipts when {@code after} is 0), as
     * {@code userId} may see them: another user's {@code m.read.private} receipt is left out.
     */
    Map<String, ObjectNode> receipts(String userId, Collection<String> roomIds, long after, long upTo) {
        return receiptEvents(receiptsChanged(roomIds, after, upTo), userId);
    }

    /**
     * {@code receipts} as one {@code m.receipt} event per room, in the order of their rooms' first
     * receipt; an {@code m.read.private} receipt only when it is {@code userId}'s own; a threaded
     * receipt with its {@code thread_id}. /sync and sliding sync's receipts extension both write them here.
     */
    public static Map<String, ObjectNode> receiptEvents(Collection<ReceiptRepository.Receipt> receipts, String userId) {
        Map<String, ObjectNode> events = new LinkedHashMap<>();
        Map<String, ObjectNode> contents = new HashMap<>();
        for (ReceiptRepository.Receipt r : receipts) {
            if (r.receiptType().equals(PRIVATE_READ) && !r.userId().equals(userId)) {
                continue;
            }
            ObjectNode content = contents.computeIfAbsent(r.roomId(), room -> {
                ObjectNode event = JSON.objectNode().put("type", "m.receipt");
                events.put(room, event);
                return event.putObject("content");
            });
            ObjectNode receipt = content.withObjectProperty(r.eventId()).withObjectProperty(r.receiptType())
                    .putObject(r.userId());
            receipt.put("ts", r.ts());
            if (r.threadId() != null) {
                receipt.put("thread_id", r.threadId());
            }
        }
        return events;
    }

    /**
     * The receipts of {@code roomIds} at positions in ({@code after}, {@code upTo}], read only for
     * the rooms whose receipts moved after {@code after} when the change cache knows which.
     */
    public List<ReceiptRepository.Receipt> receiptsChanged(Collection<String> roomIds, long after, long upTo) {
        if (upTo <= after) {
            return List.of();
        }
        Optional<Set<String>> known = receiptChanges.changedSince(roomIds, after);
        Collection<String> moved = known.isPresent() ? known.get() : roomIds;
        return moved.isEmpty() ? List.of() : receipts.changed(moved, after, upTo);
    }
}
