package org.myelin.server.federation;

import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.EventId;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.server.client.rooms.RemoteTimestamps;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * The client-server API's {@link RemoteTimestamps} over federation: {@code /timestamp_to_event}
 * on the other server, then, for an event not in the room's timeline here, {@code /event} and the
 * pipeline's backfill (as Synapse's {@code backfill_event_id}; an event held as an outlier needs no
 * fetching): the event is checked like any other and placed in the room's history, where {@code /context} finds it. The time answered is
 * the event's own, not the one the server claimed.
 */
final class FederatedTimestamps implements RemoteTimestamps {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedTimestamps.class);

    private final FederationClient client;
    private final RemoteEvents remote;
    private final RoomEventPipeline pipeline;
    private final EventCache events;
    private final RoomHeads heads;

    FederatedTimestamps(FederationClient client, RemoteEvents remote, RoomEventPipeline pipeline, EventCache events,
                        RoomHeads heads) {
        this.client = client;
        this.remote = remote;
        this.pipeline = pipeline;
        this.events = events;
        this.heads = heads;
    }

    @Override
    public Optional<RoomTimeline.Closest> closest(String server, String roomId, long ts, boolean backwards) {
        FederationClient.ClosestEvent answer;
        try {
            answer = client.timestampToEvent(server, roomId, ts, backwards);
        } catch (FederationClientException e) {
            LOG.debug("No closest event of {} from {}: {}", roomId, server, e.getMessage());
            return Optional.empty();
        }
        String eventId = answer.eventId();
        if (!EventId.isValid(eventId)) {
            return Optional.empty();
        }
        StoredEvent known = events.stored(eventId);
        if (known != null && known.isVisibleInTimeline()) {
            return known.pdu().roomId().equals(roomId)
                    ? Optional.of(new RoomTimeline.Closest(eventId, known.pdu().originServerTs())) : Optional.empty();
        }
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        // An event held only as an outlier (an auth or state event) is placed as it is.
        Optional<Pdu> fetched = (known != null && known.outlier() ? Optional.of(known.pdu())
                : remote.event(server, head.get().version(), eventId)).filter(pdu -> pdu.roomId().equals(roomId));
        if (fetched.isEmpty()) {
            return Optional.empty();
        }
        Outcome outcome = pipeline.backfill(List.of(fetched.get()), server).getFirst();
        if (!outcome.isAccepted()) {
            LOG.info("The closest event {} {} gave for {} was not placed: {}", eventId, server, roomId, outcome);
            return Optional.empty();
        }
        if (answer.originServerTs() != fetched.get().originServerTs()) {
            LOG.info("{} claimed {} for {} of {}, which says {}", server, answer.originServerTs(), eventId, roomId,
                    fetched.get().originServerTs());
        }
        return Optional.of(new RoomTimeline.Closest(eventId, fetched.get().originServerTs()));
    }
}
