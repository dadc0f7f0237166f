package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.storage.federation.InboundTransactionRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code PUT /_matrix/federation/v1/send/{txnId}} (server-server API, "Transactions", "Checks
 * performed on receipt of a PDU"): at most 50 PDUs and 100 EDUs; each PDU is checked on its own
 * (its room must be known, it must parse in the room's version, the room's ACL must admit the
 * sender, the origin must be the sender's server unless the event is a membership the origin
 * relays) and then goes through the one pipeline as a remote event. A PDU that fails affects only
 * itself: its entry in the answer carries the error. Rooms are processed in parallel, the PDUs of
 * one room in the order sent. The answer is stored per (origin, txnId), so a retried transaction
 * gets the same answer and is not processed twice. An origin's transactions are processed one at
 * a time, in the order they came ({@link OriginTurns}): what one server can make this one do is
 * bounded by one transaction's work.
 */
public final class TransactionReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionReceiver.class);
    public static final int MAX_PDUS = 50;
    public static final int MAX_EDUS = 100;
    private static final Duration KEEP_ANSWERS = Duration.ofDays(1);

    private final RoomEventPipeline pipeline;
    private final RoomRepository rooms;
    private final InboundTransactionRepository transactions;
    private final EventSignatures signatures;
    private final RoomAccess access;
    private final EduDispatcher edus;
    private final Clock clock;
    private final Map<String, CompletableFuture<ObjectNode>> inProgress = new ConcurrentHashMap<>();
    private final OriginTurns turns = new OriginTurns();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile long lastPrune;

    /** What the receiver needs; built once by the server's wiring. */
    public record Parts(RoomEventPipeline pipeline, RoomRepository rooms, MembershipRepository memberships,
                        InboundTransactionRepository transactions, EventSignatures signatures, RoomAccess access,
                        InboundEdus edus, Clock clock) {
    }

    public TransactionReceiver(Parts parts) {
        this.pipeline = parts.pipeline();
        this.rooms = parts.rooms();
        this.transactions = parts.transactions();
        this.signatures = parts.signatures();
        this.access = parts.access();
        this.edus = new EduDispatcher(parts.edus(), parts.access(), parts.memberships());
        this.clock = parts.clock();
    }

    /** Processes a transaction from {@code origin} (authenticated); returns the {@code {"pdus": …}} answer. */
    public ObjectNode receive(String origin, String txnId, JsonNode body) {
        Optional<byte[]> stored = transactions.response(origin, txnId);
        if (stored.isPresent()) {
            return MatrixJson.parseObject(stored.get(), MatrixJson.Numbers.LENIENT);
        }
        String key = origin + '\u0000' + txnId;
        CompletableFuture<ObjectNode> mine = new CompletableFuture<>();
        CompletableFuture<ObjectNode> running = inProgress.putIfAbsent(key, mine);
        if (running != null) {
            return running.join(); // the same transaction, retried while we are still on it
        }
        try {
            ObjectNode answer = turns.inTurn(origin, () -> process(origin, body));
            transactions.store(origin, txnId, CanonicalJson.encode(answer), clock.millis());
            prune();
            mine.complete(answer);
            return answer;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inProgress.remove(key, mine);
        }
    }

    private ObjectNode process(String origin, JsonNode body) {
        if (!(body instanceof ObjectNode txn)) {
            throw FederationException.badJson("A transaction is a JSON object");
        }
        ArrayNode pdus = arrayOrEmpty(txn, "pdus");
        ArrayNode eduArray = arrayOrEmpty(txn, "edus");
        if (pdus.size() > MAX_PDUS || eduArray.size() > MAX_EDUS) {
            throw FederationException.badJson("A transaction holds at most " + MAX_PDUS + " PDUs and " + MAX_EDUS
                    + " EDUs, not " + pdus.size() + " and " + eduArray.size());
        }
        Map<String, String> results = new LinkedHashMap<>();
        Map<String, List<Pdu>> byRoom = new LinkedHashMap<>();
        for (JsonNode item : pdus) {
            admit(origin, item, results, byRoom);
        }
        // Check every signature at once, in parallel (keys fetched once per server); the pipeline
        // then finds the answers remembered.
        signatures.verifyAll(byRoom.values().stream().flatMap(List::stream).toList());
        List<CompletableFuture<Map<String, String>>> perRoom = new ArrayList<>();
        for (List<Pdu> roomPdus : byRoom.values()) {
            perRoom.add(CompletableFuture.supplyAsync(() -> submitInOrder(origin, roomPdus), threads));
        }
        for (JsonNode edu : eduArray) {
            edus.dispatch(origin, edu);
        }
        for (CompletableFuture<Map<String, String>> f : perRoom) {
            results.putAll(f.join());
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ObjectNode entries = answer.putObject("pdus");
        results.forEach((id, error) -> {
            ObjectNode entry = entries.putObject(id);
            if (error != null) {
                entry.put("error", error);
            }
        });
        return answer;
    }

    private static ArrayNode arrayOrEmpty(ObjectNode txn, String field) {
        JsonNode value = txn.get(field);
        if (value == null || value.isNull()) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (!(value instanceof ArrayNode array)) {
            throw FederationException.badJson("'" + field + "' must be an array");
        }
        return array;
    }

    /** Checks a PDU before the pipeline; records its error, or files it under its room. */
    private void admit(String origin, JsonNode item, Map<String, String> results, Map<String, List<Pdu>> byRoom) {
        if (!(item instanceof ObjectNode json)) {
            LOG.info("Skipping a PDU from {} that is not a JSON object", origin);
            return;
        }
        JsonNode roomIdNode = json.get("room_id");
        Optional<RoomVersion> version = roomIdNode != null && roomIdNode.isTextual()
                ? rooms.version(roomIdNode.textValue()) : Optional.empty();
        if (version.isEmpty()) {
            // Without the room's version the event id is a guess: the current default version's.
            eventId(json, RoomVersions.DEFAULT).ifPresentOrElse(
                    id -> results.put(id, "Unknown room " + roomIdNode),
                    () -> LOG.info("Skipping a PDU from {} for unknown room {}", origin, roomIdNode));
            return;
        }
        Pdu pdu;
        try {
            pdu = Pdu.parse(json, version.get());
        } catch (RuntimeException e) {
            eventId(json, version.get()).ifPresentOrElse(
                    id -> results.put(id, "Invalid event: " + e.getMessage()),
                    () -> LOG.info("Skipping an invalid PDU from {}: {}", origin, e.getMessage()));
            return;
        }
        if (!access.acl(pdu.roomId()).allows(origin)) {
            results.put(pdu.eventId(), "Forbidden by the room's server ACL");
            return;
        }
        if (!mayRelay(origin, pdu)) {
            results.put(pdu.eventId(), "Event sent by " + pdu.sender() + " cannot come from " + origin);
            return;
        }
        byRoom.computeIfAbsent(pdu.roomId(), r -> new ArrayList<>()).add(pdu);
    }

    /**
     * Whether {@code origin} may send {@code pdu}: its own users' events; and memberships that a
     * resident server relays for the user's server after the make/send handshakes (joins, leaves,
     * knocks) or for a third-party invite (server-server API, "Validating hashes and signatures on
     * received events"). Signatures are checked by the pipeline either way.
     */
    static boolean mayRelay(String origin, Pdu pdu) {
        if (pdu.senderDomain().equals(origin)) {
            return true;
        }
        return pdu.isState() && "m.room.member".equals(pdu.type())
                && (Pdu.domainOf(pdu.stateKey()).equals(pdu.senderDomain()) || pdu.content().has("third_party_invite"));
    }

    private static Optional<String> eventId(ObjectNode json, RoomVersion version) {
        try {
            return Optional.of(EventIds.of(json, version));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Submits one room's PDUs in order without waiting for each commit (the pipeline builds each
     * on the one before while it commits, and the persister commits them together), then waits
     * for every commit: the answer, sent after this returns, acknowledges only what is durable.
     */
    private Map<String, String> submitInOrder(String origin, List<Pdu> pdus) {
        List<Input.RemoteEvent> inputs = pdus.stream().map(p -> new Input.RemoteEvent(p, origin)).toList();
        List<CompletableFuture<Outcome>> outcomes = pipeline.submitInOrder(inputs);
        Map<String, String> results = new LinkedHashMap<>();
        for (int i = 0; i < pdus.size(); i++) {
            Pdu pdu = pdus.get(i);
            String error;
            try {
                Outcome outcome = outcomes.get(i).join();
                error = outcome instanceof Outcome.Rejected r ? r.rule() + ": " + r.reason() : null;
            } catch (RuntimeException e) {
                LOG.error("PDU {} from {} failed", pdu.eventId(), origin, e);
                error = "Internal error while processing the event";
            }
            results.put(pdu.eventId(), error);
        }
        return results;
    }

    private void prune() {
        long now = clock.millis();
        if (now - lastPrune > Duration.ofHours(1).toMillis()) {
            lastPrune = now;
            transactions.deleteOlderThan(now - KEEP_ANSWERS.toMillis());
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
