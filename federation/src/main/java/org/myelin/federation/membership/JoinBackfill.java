package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The recent history of a room just joined (server-server API, "Backfilling and retrieving
 * missing events"): up to {@value #LIMIT} events before the join, from the server that let us in,
 * through the pipeline as backfilled history, which gives them their state oldest first (the
 * state is fetched once, for the oldest) and positions newest first. History that cannot be had
 * is no failure of the join.
 */
final class JoinBackfill {

    private static final Logger LOG = LoggerFactory.getLogger(JoinBackfill.class);
    static final int LIMIT = 20;

    private final FederationClient client;
    private final RoomEventPipeline pipeline;
    private final EventSignatures signatures;
    private final EventCache events;

    JoinBackfill(FederationClient client, RoomEventPipeline pipeline, EventSignatures signatures, EventCache events) {
        this.client = client;
        this.pipeline = pipeline;
        this.signatures = signatures;
        this.events = events;
    }

    void after(Pdu join, String server) {
        List<ObjectNode> answer;
        try {
            answer = client.backfill(server, join.roomId(), join.prevEventIds(), LIMIT);
        } catch (FederationClientException e) {
            LOG.info("No history of {} from {}: {}", join.roomId(), server, e.getMessage());
            return;
        }
        List<Pdu> history = new ArrayList<>();
        for (ObjectNode json : answer) {
            try {
                Pdu p = Pdu.parse(json, join.roomVersion());
                StoredEvent known = events.stored(p.eventId());
                if (p.roomId().equals(join.roomId()) && (known == null || known.outlier())) {
                    history.add(p);
                }
            } catch (RuntimeException e) {
                LOG.info("Dropping an invalid backfilled event from {}: {}", server, e.getMessage());
            }
        }
        signatures.verifyAll(history);
        try {
            List<Outcome> outcomes = pipeline.backfill(history, server);
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i) instanceof Outcome.Rejected r) {
                    LOG.info("Backfilled event {} of {} rejected: {}", history.get(i).eventId(), join.roomId(), r);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Backfilling {} failed", join.roomId(), e);
        }
    }
}
