package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.InvalidEventException;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.ClientTransactionRepository;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns a client's intent into an event through the one pipeline: builds the
 * {@link Input.LocalEvent}, submits it, and maps the {@link Outcome} to the event id or a Matrix
 * error. The pipeline's auth decides what is allowed; a rejection is 403 M_FORBIDDEN with the
 * rule's reason, a room this server is not in 404 M_NOT_FOUND, an event over the size limit
 * 413 M_TOO_LARGE.
 *
 * <p>Client transaction ids (client-server API, "Transaction identifiers") make
 * {@code PUT .../send} and {@code .../redact} idempotent per device: the first request's event id
 * is stored, and a retry, also after a restart, returns it without a new event. Concurrent
 * requests with the same transaction share the one in flight (no lock is held while waiting).
 */
public final class RoomActions {

    private final RoomEventPipeline pipeline;
    private final RoomHeads heads;
    private final EventCache events;
    private final ClientTransactionRepository transactions;
    private final RateLimiter messageLimit;
    private final Clock clock;
    private final Supplier<SenderRestrictions> restrictions;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<ClientTransactionRepository.Key, CompletableFuture<String>> inFlight =
            new ConcurrentHashMap<>();

    /**
     * What sending needs. {@code messageLimit} limits the events each user sends by send, state and
     * redact; {@code restrictions} gives what an admin restricts (suspension, shadow ban).
     */
    public record Parts(RoomEventPipeline pipeline, RoomHeads heads, EventCache events,
                        ClientTransactionRepository transactions, RateLimiter messageLimit, Clock clock,
                        Supplier<SenderRestrictions> restrictions) {
    }

    public RoomActions(Parts parts) {
        this.pipeline = parts.pipeline();
        this.heads = parts.heads();
        this.events = parts.events();
        this.transactions = parts.transactions();
        this.messageLimit = parts.messageLimit();
        this.clock = parts.clock();
        this.restrictions = parts.restrictions();
    }

    /** What an admin restricts about senders now. */
    SenderRestrictions restrictions() {
        return restrictions.get();
    }

    /**
     * The answer to a shadow-banned sender, as Synapse gives it: a well-formed event id of no event,
     * so that the client sees its send succeed while nothing is persisted or sent to anyone.
     */
    private String fakeEventId() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "$" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Submits a local event; returns its id, or throws the Matrix error its outcome maps to. */
    public Pdu submit(Input.LocalEvent input) {
        Outcome outcome;
        try {
            outcome = pipeline.submit(input);
        } catch (InvalidEventException e) {
            String message = e.getMessage() == null ? "invalid event" : e.getMessage();
            throw message.contains("over the limit") || message.contains("longer than")
                    ? MatrixException.tooLarge("Event too large: " + message)
                    : MatrixException.badJson("Invalid event: " + message);
        }
        return switch (outcome) {
            case Outcome.Accepted a -> a.event().pdu();
            case Outcome.SoftFailed s -> s.event().pdu();
            case Outcome.Rejected r when "room".equals(r.rule()) -> throw MatrixException.notFound("Unknown room "
                    + input.roomId());
            case Outcome.Rejected r -> throw MatrixException.forbidden(r.reason());
        };
    }

    /**
     * {@code PUT /rooms/{roomId}/send/{eventType}/{txnId}}: a message event, once per transaction;
     * a null {@code txnId} (the deprecated {@code POST} form) sends a new event each time.
     */
    public String sendMessage(Requester requester, String roomId, String type, ObjectNode content, String txnId) {
        restrictions.get().checkMaySend(requester.userId());
        if (restrictions.get().isShadowBanned(requester.userId())) {
            return fakeEventId();
        }
        Send send = key -> {
            messageLimit.acquire(requester.userId());
            return submit(Input.LocalEvent.message(roomId, requester.userId(), type, content).inTransaction(key))
                    .eventId();
        };
        return txnId == null ? send.send(null) : once(new ClientTransactionRepository.Key(requester.userId(),
                requester.deviceId(), roomId, "send", txnId), send);
    }

    /**
     * {@code PUT /rooms/{roomId}/redact/{eventId}/{txnId}}: a redaction, once per transaction; a
     * null {@code txnId} (the deprecated {@code POST} form) redacts anew each time.
     */
    public String redact(Requester requester, String roomId, String eventId, ObjectNode content, String txnId) {
        Pdu original = events.get(eventId);
        if (original == null || !original.sender().equals(requester.userId())) {
            restrictions.get().checkMaySend(requester.userId()); // a suspended user may redact their own
        }
        if (restrictions.get().isShadowBanned(requester.userId())) {
            return fakeEventId();
        }
        Send send = key -> {
            messageLimit.acquire(requester.userId());
            checkMayRedact(requester.userId(), roomId, eventId);
            return submit(new Input.LocalEvent(roomId, requester.userId(), "m.room.redaction", null, content,
                    eventId, key)).eventId();
        };
        return txnId == null ? send.send(null) : once(new ClientTransactionRepository.Key(requester.userId(),
                requester.deviceId(), roomId, "redact", txnId), send);
    }

    /**
     * Synapse's check before a local redaction (from room version 3 the auth rules let any member
     * send one, and servers apply it only if valid): redacting someone else's event needs the
     * {@code redact} power level; an event of another room cannot be redacted from this one.
     */
    private void checkMayRedact(String sender, String roomId, String eventId) {
        Pdu original = events.get(eventId);
        Optional<RoomHead> head = heads.get(roomId);
        if (original == null || head.isEmpty()) {
            return;
        }
        if (!original.roomId().equals(roomId)) {
            throw MatrixException.unknownBadRequest("Cannot redact an event of another room");
        }
        if (original.sender().equals(sender)) {
            return;
        }
        Map<StateKey, String> state = head.get().currentState();
        PowerLevels levels = PowerLevels.of(head.get().version().auth(), stateEvent(state, StateKey.powerLevels()),
                stateEvent(state, StateKey.create()));
        if (levels.userLevel(sender) < levels.redact()) {
            throw MatrixException.forbidden("You don't have permission to redact events");
        }
    }

    private Pdu stateEvent(Map<StateKey, String> state, StateKey key) {
        String id = state.get(key);
        return id == null ? null : events.get(id);
    }

    /**
     * Counts one event of {@code sender} against the message rate limit (429 M_LIMIT_EXCEEDED past
     * it), for requests that reach out before they send (third-party invites ask an identity server).
     */
    void limitRate(String sender) {
        messageLimit.acquire(sender);
    }

    /** {@code PUT /rooms/{roomId}/state/...} by a client: {@link #sendState}, rate limited per user. */
    public String sendClientState(String roomId, String sender, String type, String stateKey, ObjectNode content) {
        restrictions.get().checkMaySend(sender);
        if (restrictions.get().isShadowBanned(sender)) {
            return fakeEventId();
        }
        messageLimit.acquire(sender);
        return sendState(roomId, sender, type, stateKey, content);
    }

    /**
     * A state event; when the current state already holds an event of the same sender with the
     * same content at this key, that event's id (no new event, as Synapse does).
     */
    public String sendState(String roomId, String sender, String type, String stateKey, ObjectNode content) {
        if (StateKey.CREATE.equals(type) && "".equals(stateKey)) {
            // The pipeline treats a local create event as a new room: only /createRoom makes one.
            throw MatrixException.forbidden("m.room.create can only be sent by /createRoom");
        }
        Optional<Pdu> same = currentIdentical(roomId, sender, type, stateKey, content);
        if (same.isPresent()) {
            return same.get().eventId();
        }
        return submit(Input.LocalEvent.state(roomId, sender, type, stateKey, content)).eventId();
    }

    private Optional<Pdu> currentIdentical(String roomId, String sender, String type, String stateKey,
                                           ObjectNode content) {
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        String id = head.get().currentState().get(new StateKey(type, stateKey));
        Pdu current = id == null ? null : events.get(id);
        return current != null && current.sender().equals(sender) && current.content().equals(content)
                ? Optional.of(current) : Optional.empty();
    }

    /** Sends the event of a client transaction; the event must carry {@code key} to commit it with. */
    private interface Send {
        String send(ClientTransactionRepository.Key key);
    }

    /**
     * Runs {@code send} unless the transaction made an event before. A concurrent request with the
     * same transaction waits for the one in flight and returns its event; if that one failed, it
     * tries itself.
     */
    private String once(ClientTransactionRepository.Key key, Send send) {
        while (true) {
            CompletableFuture<String> mine = new CompletableFuture<>();
            CompletableFuture<String> running = inFlight.putIfAbsent(key, mine);
            if (running != null) {
                try {
                    return running.join();
                } catch (CompletionException | java.util.concurrent.CancellationException failed) {
                    continue;
                }
            }
            try {
                String eventId = transactions.eventOf(key).orElseGet(() -> {
                    // The transaction is committed with the event (and remembered by the commit listener).
                    return send.send(key);
                });
                mine.complete(eventId);
                return eventId;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(key, mine);
            }
        }
    }
}
