package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The events of a {@code send_join} answer (server-server API, "Joining Rooms": {@code state} and
 * {@code auth_chain}), parsed in the room's version; what does not parse is dropped and logged.
 */
final class AnswerEvents {

    private static final Logger LOG = LoggerFactory.getLogger(AnswerEvents.class);
    /** Events per parsing task. */
    private static final int PARSE_CHUNK = 256;

    private AnswerEvents() {
    }

    /**
     * The events of an answer's array, parsed in parallel (parsing computes each event's id, a
     * hash of its canonical JSON: for ten thousand state events, seconds on one core). The array
     * is emptied as it is parsed, so that the answer and the parsed copies are not both held.
     */
    static List<Pdu> parse(JsonNode array, RoomVersion version) {
        if (!(array instanceof ArrayNode events)) {
            return List.of();
        }
        List<ObjectNode> objects = new ArrayList<>(events.size());
        for (JsonNode json : events) {
            if (json instanceof ObjectNode o) {
                objects.add(o);
            }
        }
        events.removeAll();
        List<Future<List<Pdu>>> chunks = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int from = 0; from < objects.size(); from += PARSE_CHUNK) {
                List<ObjectNode> chunk = objects.subList(from, Math.min(objects.size(), from + PARSE_CHUNK));
                chunks.add(threads.submit(() -> {
                    List<Pdu> parsed = new ArrayList<>(chunk.size());
                    for (int i = 0; i < chunk.size(); i++) {
                        Pdu p = parseOne(chunk.get(i), version);
                        chunk.set(i, null); // the parsed event holds its own copy
                        if (p != null) {
                            parsed.add(p);
                        }
                    }
                    return parsed;
                }));
            }
            List<Pdu> all = new ArrayList<>(objects.size());
            for (Future<List<Pdu>> chunk : chunks) {
                all.addAll(chunk.get());
            }
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parsing a send_join answer", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** One event of the answer, or null (logged) if it does not parse. */
    static Pdu parseOne(ObjectNode json, RoomVersion version) {
        try {
            return Pdu.parse(json, version);
        } catch (RuntimeException e) {
            LOG.info("Dropping an invalid event from a send_join answer: {}", e.getMessage());
            return null;
        }
    }
}
