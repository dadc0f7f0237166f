package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.federation.remote.FederationRemoteEvents;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The recent history of a room just joined (server-server API, "Backfilling and retrieving
 * missing events"): up to {@value #LIMIT} events before the join, from the server that let us in,
 * through the pipeline as backfilled history, which gives them their state oldest first (the
 * state is fetched once, for the oldest) and positions newest first. The history and the state
 * before it are asked for as soon as {@code send_join} answered, so the resident server works on
 * them while the join's state is checked. History that cannot be had is no failure of the join.
 */
final class JoinBackfill {

    private static final Logger LOG = LoggerFactory.getLogger(JoinBackfill.class);
    static final int LIMIT = 20;

    /** History fetched for a join: its events, oldest first, and the one whose state was asked for. */
    record History(Pdu join, String server, List<Pdu> events, String stateAsked) {
    }

    private final FederationClient client;
    private final RoomEventPipeline pipeline;
    private final EventSignatures signatures;
    private final EventCache events;
    private final FederationRemoteEvents remote;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    JoinBackfill(FederationClient client, RoomEventPipeline pipeline, EventSignatures signatures, EventCache events,
                 FederationRemoteEvents remote) {
        this.client = client;
        this.pipeline = pipeline;
        this.signatures = signatures;
        this.events = events;
        this.remote = remote;
    }

    /**
     * Starts fetching the history before {@code join}, and the state before its oldest event (which
     * placing it will need), while the join's own state is checked: the resident server gathers
     * them meanwhile.
     */
    CompletableFuture<History> fetch(Pdu join, String server) {
        return CompletableFuture.supplyAsync(() -> {
            List<ObjectNode> answer;
            try {
                answer = client.backfill(server, join.roomId(), join.prevEventIds(), LIMIT);
            } catch (FederationClientException e) {
                LOG.info("No history of {} from {}: {}", join.roomId(), server, e.getMessage());
                return new History(join, server, List.of(), null);
            }
            List<Pdu> history = new ArrayList<>();
            for (ObjectNode json : answer) {
                try {
                    Pdu p = Pdu.parse(json, join.roomVersion());
                    if (p.roomId().equals(join.roomId())) {
                        history.add(p);
                    }
                } catch (RuntimeException e) {
                    LOG.info("Dropping an invalid backfilled event from {}: {}", server, e.getMessage());
                }
            }
            history.sort(Comparator.comparingLong(Pdu::depth).thenComparing(Pdu::eventId));
            String oldest = history.isEmpty() ? null : history.getFirst().eventId();
            if (oldest != null) {
                remote.prefetchStateIds(server, join.roomId(), oldest);
            }
            return new History(join, server, history, oldest);
        }, threads);
    }

    /** Places the fetched history through the pipeline, once the join is stored. */
    void place(History fetched) {
        Pdu join = fetched.join();
        try {
            List<Pdu> history = new ArrayList<>();
            for (Pdu p : fetched.events()) {
                StoredEvent known = events.stored(p.eventId());
                if (known == null || known.outlier()) {
                    history.add(p);
                }
            }
            signatures.verifyAll(history);
            List<Outcome> outcomes = pipeline.backfill(history, fetched.server());
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i) instanceof Outcome.Rejected r) {
                    LOG.info("Backfilled event {} of {} rejected: {}", history.get(i).eventId(), join.roomId(), r);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Backfilling {} failed", join.roomId(), e);
        } finally {
            forget(fetched);
        }
    }

    /** Drops what was fetched for a join that did not happen, or was placed. */
    void forget(History fetched) {
        if (fetched.stateAsked() != null) {
            remote.forgetPrefetched(fetched.server(), fetched.join().roomId(), fetched.stateAsked());
        }
    }
}
