package org.myelin.server.client.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.http.Json;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PushActionRepository.PushAction;
import org.myelin.storage.receipts.ReceiptRepository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The events a user was notified of (client-server API, "Listing Notifications"), newest first,
 * from the recorded push actions. A notification is {@code read} when the user's read receipt in
 * its room is at or after it, as Synapse answers.
 */
public final class Notifications {

    /** How long a request waits for the push actions of the events committed before it. */
    private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(5);
    private static final List<String> READ_RECEIPTS = List.of("m.read", "m.read.private");

    /** One notification, as {@code GET /notifications} answers it. */
    public record Notification(JsonNode actions, ObjectNode event, boolean read, String roomId, long ts) {
    }

    /**
     * A page of notifications.
     *
     * @param nextToken where the next page starts, or null when this one was the last
     */
    public record Page(List<Notification> notifications, String nextToken) {
    }

    private final PushActionRepository actions;
    private final PushActionRecorder recorder;
    private final LongSupplier timelinePosition;
    private final EventCache events;
    private final ClientEvents clientEvents;
    private final ReceiptRepository receipts;

    /**
     * @param timelinePosition the timeline's current position: a page waits until the events up to
     *                         it are recorded, so a client finds the notification of an event it
     *                         has just seen
     */
    public Notifications(PushActionRepository actions, PushActionRecorder recorder, LongSupplier timelinePosition,
                         EventCache events, ClientEvents clientEvents, ReceiptRepository receipts) {
        this.actions = actions;
        this.recorder = recorder;
        this.timelinePosition = timelinePosition;
        this.events = events;
        this.clientEvents = clientEvents;
        this.receipts = receipts;
    }

    /**
     * Up to {@code limit} of the user's notifications before {@code from} (a position from an
     * earlier page's {@code next_token}; null for the newest), only highlights if asked.
     */
    public Page page(String userId, String deviceId, Long from, int limit, boolean onlyHighlights) {
        recorder.awaitProcessed(timelinePosition.getAsLong(), READ_YOUR_WRITES);
        List<PushAction> found = limit == 0 ? List.of() : actions.newestFirst(userId, from, limit, onlyHighlights);
        Map<String, StoredEvent> stored = events.storedAll(found.stream().map(PushAction::eventId).toList());
        List<PushAction> kept = new ArrayList<>(found.size());
        List<Pdu> pdus = new ArrayList<>(found.size());
        for (PushAction a : found) {
            StoredEvent event = stored.get(a.eventId());
            if (event != null) {
                kept.add(a);
                pdus.add(event.pdu());
            }
        }
        List<ObjectNode> formatted = clientEvents.format(pdus, userId, deviceId);
        Map<String, Long> readUpTo = new HashMap<>();
        List<Notification> notifications = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            PushAction a = kept.get(i);
            ObjectNode event = formatted.get(i);
            event.remove("room_id"); // the spec's ClientEventWithoutRoomID: the room is beside it
            long read = readUpTo.computeIfAbsent(a.roomId(), room -> receipts.readUpTo(room, userId, READ_RECEIPTS));
            notifications.add(new Notification(parse(a.actionsJson()), event, read >= a.streamOrdering(), a.roomId(),
                    a.receivedTs()));
        }
        String next = !found.isEmpty() && found.size() >= limit ? Long.toString(found.getLast().streamOrdering()) : null;
        return new Page(notifications, next);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored push actions are not JSON: " + json, e);
        }
    }
}
