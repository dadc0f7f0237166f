package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.federation.outbound.Edu;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.receipts.Receipts;
import org.myelin.server.client.typing.TypingNotifications;
import org.myelin.server.http.Json;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Typing notifications and read receipts between servers (server-server API, "Typing
 * Notifications", "Receipts"): our users' go out as {@code m.typing} and {@code m.receipt} EDUs
 * to the other servers in the room; other servers' come in (already checked by the transaction
 * receiver) and join what /sync reports, as if they were our own. Presence, which is a user's
 * and not a room's, has its own {@link FederatedPresence}.
 */
final class FederatedEdus implements InboundEdus, TypingNotifications.Listener, Receipts.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedEdus.class);
    /** How long a remote user types without a new notification; Synapse waits as long. */
    static final long REMOTE_TYPING_TIMEOUT_MS = 60_000;

    private final LocalServer local;
    private final MembershipRepository memberships;
    private final TypingNotifications typing;
    private final Receipts receipts;
    private final EventCache events;
    private final BiConsumer<Set<String>, Edu> send;
    private final Clock clock;
    private final FederatedPresence presence;

    /** What the EDUs need: the sync side's stores, and where outbound EDUs go. */
    record Parts(LocalServer local, MembershipRepository memberships, TypingNotifications typing,
                 Receipts receipts, EventCache events, BiConsumer<Set<String>, Edu> send,
                 Clock clock, FederatedPresence presence) {
    }

    FederatedEdus(Parts parts) {
        this.local = parts.local();
        this.memberships = parts.memberships();
        this.typing = parts.typing();
        this.receipts = parts.receipts();
        this.events = parts.events();
        this.send = parts.send();
        this.clock = parts.clock();
        this.presence = parts.presence();
    }

    // ---- outbound ----

    @Override
    public void typing(String roomId, String userId, boolean isTyping, long timeoutMs) {
        if (!local.isLocalUser(userId)) {
            return;
        }
        ObjectNode content = Json.MAPPER.createObjectNode().put("room_id", roomId).put("user_id", userId)
                .put("typing", isTyping);
        sendToRoom(roomId, new Edu("m.typing", content));
    }

    @Override
    public void receipt(String roomId, String type, String userId, String eventId, String threadId, long ts) {
        if (!local.isLocalUser(userId)) {
            return;
        }
        ObjectNode content = Json.MAPPER.createObjectNode();
        ObjectNode receipt = content.putObject(roomId).putObject(type).putObject(userId);
        receipt.putArray("event_ids").add(eventId);
        ObjectNode data = receipt.putObject("data").put("ts", ts);
        if (threadId != null) {
            data.put("thread_id", threadId);
        }
        sendToRoom(roomId, new Edu("m.receipt", content));
    }

    private void sendToRoom(String roomId, Edu edu) {
        Set<String> destinations = new LinkedHashSet<>(memberships.joinedServers(roomId));
        destinations.remove(local.serverName());
        if (!destinations.isEmpty()) {
            send.accept(destinations, edu);
        }
    }

    // ---- inbound ----

    @Override
    public void typing(String origin, Typing t) {
        typing.set(t.roomId(), t.userId(), t.typing(), REMOTE_TYPING_TIMEOUT_MS);
    }

    @Override
    public void receipt(String origin, Receipt r) {
        if (!Receipts.READ.equals(r.receiptType())) {
            return; // only public read receipts travel between servers
        }
        String eventId = r.eventIds().getFirst();
        StoredEvent event = events.stored(eventId);
        Long ordering = event != null && event.pdu().roomId().equals(r.roomId()) ? event.streamOrdering() : null;
        String thread = r.data().path("thread_id").asText(null);
        if (thread != null && !Receipts.isThreadId(thread)) {
            LOG.info("Skipping a receipt from {}: thread_id is neither 'main' nor an event id", origin);
            return;
        }
        long ts = r.data().path("ts").canConvertToLong() ? r.data().path("ts").asLong() : clock.millis();
        receipts.received(new ReceiptRepository.NewReceipt(r.roomId(), r.receiptType(), r.userId(), thread, eventId,
                ordering, ts));
    }

    @Override
    public void presence(String origin, Presence update) {
        presence.received(update);
    }

    @Override
    public void other(String origin, String eduType, ObjectNode content) {
        LOG.debug("{} EDU from {} not handled", eduType, origin);
    }
}
