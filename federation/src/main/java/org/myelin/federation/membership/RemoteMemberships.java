package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.federation.remote.FederationRemoteEvents;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A local user's membership in a room this server is not in, through a server that is
 * (server-server API, "Joining Rooms", "Knocking upon a room", "Leaving Rooms (Rejecting
 * Invites)"): ask it for a template ({@code make_*}), complete and sign the event, send it back
 * ({@code send_*}); servers are tried in turn until one succeeds. A join stores the state and auth
 * chain the resident server answers (through the pipeline, which checks each event) and then
 * backfills recent history; a leave or a knock is stored as an out-of-band membership.
 */
public final class RemoteMemberships {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteMemberships.class);

    /** The three handshakes: their membership and the paths of their two halves. */
    private enum Kind {
        JOIN("join", "/_matrix/federation/v1/make_join/", "/_matrix/federation/v2/send_join/", true),
        LEAVE("leave", "/_matrix/federation/v1/make_leave/", "/_matrix/federation/v2/send_leave/", false),
        KNOCK("knock", "/_matrix/federation/v1/make_knock/", "/_matrix/federation/v1/send_knock/", true);

        final String membership;
        final String make;
        final String send;
        final boolean sendsVersions;

        Kind(String membership, String make, String send, boolean sendsVersions) {
            this.membership = membership;
            this.make = make;
            this.send = send;
            this.sendsVersions = sendsVersions;
        }
    }

    /** An event completed and signed here, and the server that gave its template. */
    private record Signed(Pdu event, String server) {
    }

    /** What a user asks for: their membership in a room, with this content. */
    private record Wish(String roomId, String userId, ObjectNode content) {
    }

    private final LocalServer local;
    private final FederationClient client;
    private final RoomEventPipeline pipeline;
    private final EventSignatures signatures;
    private final EventCache events;
    private final MembershipRepository memberships;
    private final JoinBackfill backfill;
    private final Clock clock;

    /** What remote memberships need; built once by the server's wiring. */
    public record Parts(LocalServer local, FederationClient client, RoomEventPipeline pipeline,
                        EventSignatures signatures, EventCache events, MembershipRepository memberships, Clock clock,
                        FederationRemoteEvents remoteEvents) {
    }

    public RemoteMemberships(Parts parts) {
        this.local = parts.local();
        this.client = parts.client();
        this.pipeline = parts.pipeline();
        this.signatures = parts.signatures();
        this.events = parts.events();
        this.memberships = parts.memberships();
        this.clock = parts.clock();
        this.backfill = new JoinBackfill(client, pipeline, signatures, events, parts.remoteEvents());
    }

    /**
     * Joins {@code userId} to {@code roomId} through one of {@code servers} (and the server that
     * invited the user, if one did); returns the join event's id once the room is stored.
     *
     * @param content the member event's content: {@code membership} and the profile fields
     * @throws FederationException 403 if the room refuses the user, 404 if no server could be reached
     */
    public String join(String roomId, String userId, List<String> servers, ObjectNode content) {
        Failures failures = new Failures();
        for (String server : candidates(roomId, userId, servers)) {
            Signed signed = handshake(Kind.JOIN, server, new Wish(roomId, userId, content), failures);
            if (signed == null) {
                continue;
            }
            try {
                long t0 = System.nanoTime();
                JsonNode answer = client.send(server, "PUT", sendPath(Kind.JOIN, signed.event()), signed.event().json());
                long t1 = System.nanoTime();
                CompletableFuture<JoinBackfill.History> history = backfill.fetch(signed.event(), server);
                Outcome outcome;
                try {
                    outcome = storeJoin(signed, answer);
                } catch (RuntimeException e) {
                    history.thenAccept(backfill::forget);
                    throw e;
                }
                if (!(outcome instanceof Outcome.Accepted)) {
                    history.thenAccept(backfill::forget);
                } else {
                    long t2 = System.nanoTime();
                    backfill.place(history.join());
                    // What a slow join spent its time on: the resident server, our checks and writes, or history.
                    LOG.info("Joined {} through {}: send_join {} ms, state checked and stored {} ms, backfill {} ms",
                            roomId, server, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                            (System.nanoTime() - t2) / 1_000_000);
                    return signed.event().eventId();
                }
                failures.refused(server, "its answer to send_join did not hold: " + outcome);
            } catch (FederationClientException e) {
                failures.failed(server, "send_join", e);
            }
        }
        throw failures.toException("join", roomId);
    }

    /**
     * Rejects an invite (or leaves a knocked room) through the inviting server or {@code servers}.
     * If none of them can be reached, an invite is rejected here only (as Synapse does): the user
     * must be able to get rid of it; the inviting server is not told.
     */
    public String leave(String roomId, String userId, List<String> servers, ObjectNode content) {
        Failures failures = new Failures();
        for (String server : candidates(roomId, userId, servers)) {
            Signed signed = handshake(Kind.LEAVE, server, new Wish(roomId, userId, content), failures);
            if (signed == null) {
                continue;
            }
            try {
                client.send(server, "PUT", sendPath(Kind.LEAVE, signed.event()), signed.event().json());
                pipeline.submit(new Input.OutOfBandMembership(signed.event(), server));
                return signed.event().eventId();
            } catch (FederationClientException e) {
                failures.failed(server, "send_leave", e);
            }
        }
        Pdu invite = currentMembership(roomId, userId);
        if (invite != null && "invite".equals(invite.membership()) && failures.forbidden == null) {
            return rejectLocally(invite, content);
        }
        throw failures.toException("leave", roomId);
    }

    private Pdu currentMembership(String roomId, String userId) {
        return memberships.of(roomId, userId).map(m -> events.get(m.eventId())).orElse(null);
    }

    /** A leave that follows the invite here only: signed by us, stored out of band, sent nowhere. */
    private String rejectLocally(Pdu invite, ObjectNode content) {
        ObjectNode leaveContent = content.deepCopy().put("membership", "leave");
        EventBuilder builder = EventBuilder.in(invite.roomVersion(), invite.roomId()).type(StateKey.MEMBER)
                .stateKey(invite.stateKey()).sender(invite.stateKey()).content(leaveContent)
                .prevEvents(List.of(invite.eventId())).authEvents(List.of(invite.eventId()))
                .depth(invite.depth() + 1).originServerTs(clock.millis());
        if (!invite.roomVersion().eventFormat().eventIdIsHash()) {
            builder.eventId("$" + UUID.randomUUID().toString().replace("-", "") + ":" + local.serverName());
        }
        Pdu leave = builder.build(local.serverName(), local.signingKey());
        LOG.info("No server of {} could be reached: rejecting the invite of {} here only", invite.roomId(),
                invite.stateKey());
        pipeline.submit(new Input.OutOfBandMembership(leave, local.serverName()));
        return leave.eventId();
    }

    /** Knocks on {@code roomId} through one of {@code servers}; returns the knock event's id. */
    public String knock(String roomId, String userId, List<String> servers, ObjectNode content) {
        Failures failures = new Failures();
        for (String server : candidates(roomId, userId, servers)) {
            Signed signed = handshake(Kind.KNOCK, server, new Wish(roomId, userId, content), failures);
            if (signed == null) {
                continue;
            }
            try {
                JsonNode answer = client.send(server, "PUT", sendPath(Kind.KNOCK, signed.event()), signed.event().json());
                Pdu stored = signed.event();
                if (answer.get("knock_room_state") instanceof ArrayNode roomState) {
                    Optional<String> problem = StrippedState.problemWith(roomState);
                    if (problem.isEmpty()) {
                        stored = stored.withUnsigned("knock_room_state", roomState);
                    } else {
                        LOG.info("Not keeping the knock_room_state {} sent: it {}", server, problem.get());
                    }
                }
                pipeline.submit(new Input.OutOfBandMembership(stored, server));
                return signed.event().eventId();
            } catch (FederationClientException e) {
                failures.failed(server, "send_knock", e);
            }
        }
        throw failures.toException("knock on", roomId);
    }

    /**
     * The servers to try, in order: the one that invited the user (it is in the room), then those
     * given; never this one.
     */
    private List<String> candidates(String roomId, String userId, List<String> servers) {
        Set<String> ordered = new LinkedHashSet<>();
        memberships.of(roomId, userId).map(m -> events.get(m.eventId()))
                .filter(e -> e != null && "invite".equals(e.membership()))
                .ifPresent(invite -> ordered.add(invite.senderDomain()));
        ordered.addAll(servers);
        ordered.remove(local.serverName());
        ordered.remove("");
        return List.copyOf(ordered);
    }

    /** {@code make_*} on {@code server}, then the event completed and signed; null if that failed. */
    private Signed handshake(Kind kind, String server, Wish wish, Failures failures) {
        String roomId = wish.roomId();
        String userId = wish.userId();
        JsonNode answer;
        try {
            answer = client.get(server, makePath(kind, roomId, userId));
        } catch (FederationClientException e) {
            failures.failed(server, "make_" + kind.membership, e);
            return null;
        }
        String versionId = answer.path("room_version").asText("1");
        RoomVersion version = RoomVersions.find(versionId).orElse(null);
        if (version == null || !(answer.get("event") instanceof ObjectNode template)) {
            failures.refused(server, "its make_" + kind.membership + " answer has no usable template (room version "
                    + versionId + ")");
            return null;
        }
        if (!StateKey.MEMBER.equals(template.path("type").asText()) || !userId.equals(template.path("sender").asText())
                || !userId.equals(template.path("state_key").asText())
                || (template.has("room_id") && !roomId.equals(template.path("room_id").asText()))) {
            failures.refused(server, "its template is not " + userId + "'s membership in " + roomId);
            return null;
        }
        try {
            return new Signed(complete(kind, template, version, wish.content()), server);
        } catch (RuntimeException e) {
            failures.refused(server, "its template does not make a valid event: " + e.getMessage());
            return null;
        }
    }

    /** The template with our content, time and origin, hashed and signed. */
    private Pdu complete(Kind kind, ObjectNode template, RoomVersion version, ObjectNode content) {
        ObjectNode event = template.deepCopy();
        event.remove(List.of("signatures", "hashes", "unsigned", "event_id"));
        ObjectNode eventContent = content.deepCopy();
        JsonNode authoriser = template.path("content").get("join_authorised_via_users_server");
        if (kind == Kind.JOIN && authoriser != null && authoriser.isTextual()) {
            eventContent.set("join_authorised_via_users_server", authoriser);
        }
        eventContent.put("membership", kind.membership);
        event.set("content", eventContent);
        event.put("origin_server_ts", clock.millis());
        event.put("origin", local.serverName());
        if (!version.eventFormat().eventIdIsHash()) {
            event.put("event_id", "$" + UUID.randomUUID().toString().replace("-", "") + ":" + local.serverName());
        }
        return Pdu.parse(EventSigning.hashAndSign(event, version, local.serverName(), local.signingKey()), version);
    }

    /**
     * The join with the state and auth chain of {@code send_join}'s answer, through the pipeline;
     * if another of our users joined meanwhile (this server is in the room now), the join is one
     * more received event of a room we hold.
     */
    private Outcome storeJoin(Signed signed, JsonNode answer) {
        RoomVersion version = signed.event().roomVersion();
        Pdu join = signed.event();
        if (answer.get("event") instanceof ObjectNode countersigned) {
            // A restricted join comes back signed by the resident server too.
            Pdu returned = AnswerEvents.parseOne(countersigned, version);
            if (returned != null && returned.eventId().equals(join.eventId())) {
                join = returned;
            }
        }
        if (memberships.joinedServers(join.roomId()).contains(local.serverName())) {
            return pipeline.submit(new Input.RemoteEvent(join, signed.server()));
        }
        List<Pdu> state = AnswerEvents.parse(answer.path("state"), version);
        List<Pdu> authChain = AnswerEvents.parse(answer.path("auth_chain"), version);
        // The pipeline checks every event's signatures and hashes, in parallel, once.
        return pipeline.submit(new Input.JoinedRemoteRoom(join, state, authChain, signed.server()));
    }

    private static String makePath(Kind kind, String roomId, String userId) {
        StringBuilder path = new StringBuilder(kind.make).append(FederationClient.encode(roomId)).append('/')
                .append(FederationClient.encode(userId));
        if (kind.sendsVersions) {
            char sep = '?';
            for (RoomVersion v : RoomVersions.all()) {
                path.append(sep).append("ver=").append(FederationClient.encode(v.id()));
                sep = '&';
            }
        }
        return path.toString();
    }

    private static String sendPath(Kind kind, Pdu event) {
        return kind.send + FederationClient.encode(event.roomId()) + "/" + FederationClient.encode(event.eventId());
    }

    /** Why each server failed; the most telling answer becomes the error. */
    private static final class Failures {
        private String forbidden;
        private String incompatible;
        private final List<String> all = new ArrayList<>();

        void failed(String server, String step, FederationClientException e) {
            String why = server + " (" + step + "): " + e.getMessage();
            all.add(why);
            LOG.info("Membership handshake through {} failed at {}: {}", server, step, e.getMessage());
            if (e.status() == 403) {
                forbidden = why;
            } else if ("M_INCOMPATIBLE_ROOM_VERSION".equals(e.errcode())) {
                incompatible = why;
            }
        }

        void refused(String server, String why) {
            all.add(server + ": " + why);
            LOG.info("Membership handshake through {}: {}", server, why);
        }

        FederationException toException(String what, String roomId) {
            if (forbidden != null) {
                return FederationException.forbidden("Cannot " + what + " " + roomId + ": " + forbidden);
            }
            if (incompatible != null) {
                return new FederationException(400, "M_INCOMPATIBLE_ROOM_VERSION", "Cannot " + what + " " + roomId
                        + ": " + incompatible);
            }
            return FederationException.notFound(all.isEmpty() ? "No known servers can " + what + " room " + roomId
                    : "Cannot " + what + " " + roomId + " through any known server: " + String.join("; ", all));
        }
    }
}
