package org.myelin.server.federation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.federation.client.FederationClient;
import org.myelin.protocol.id.RoomId;
import org.myelin.server.client.spaces.RemoteHierarchy;
import org.myelin.server.client.spaces.RoomSummary;
import org.myelin.server.client.spaces.SpaceChild;
import org.myelin.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client-server API's {@link RemoteHierarchy} over federation (server-server API,
 * {@code GET /_matrix/federation/v1/hierarchy/{roomId}}): each server of {@code via} in turn,
 * each given {@link #TIMEOUT} to answer (a hierarchy page waits on it), until one answers with the
 * room asked for. Answers are checked as Synapse checks them (a room object naming the room, lists
 * where lists belong; a child event or summary of the wrong shape is dropped alone) and kept for
 * five minutes per room and {@code suggested_only}, as Synapse keeps them: the spec asks for
 * caching, and a user paging through a big space asks again and again.
 */
final class FederatedHierarchy implements RemoteHierarchy, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedHierarchy.class);
    /** How long one server may take to answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEPT = Duration.ofMinutes(5);
    private static final int MAX_KEPT = 1000;

    private record Key(String roomId, boolean suggestedOnly) {
    }

    private final FederationClient client;
    private final String serverName;
    private final Cache<Key, RemoteSpace> answers = Caffeine.newBuilder().recordStats().expireAfterWrite(KEPT)
            .maximumSize(MAX_KEPT).build();
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

    FederatedHierarchy(FederationClient client, String serverName) {
        this.client = client;
        this.serverName = serverName;
    }

    @Override
    public Optional<RemoteSpace> hierarchy(String roomId, List<String> via, boolean suggestedOnly) {
        Key key = new Key(roomId, suggestedOnly);
        RemoteSpace kept = answers.getIfPresent(key);
        if (kept != null) {
            return Optional.of(kept);
        }
        for (String server : via) {
            if (server.equals(serverName)) {
                continue;
            }
            Optional<RemoteSpace> answer = ask(server, roomId, suggestedOnly);
            if (answer.isPresent()) {
                answers.put(key, answer.get());
                return answer;
            }
        }
        return Optional.empty();
    }

    private Optional<RemoteSpace> ask(String server, String roomId, boolean suggestedOnly) {
        String uri = "/_matrix/federation/v1/hierarchy/" + FederationClient.encode(roomId)
                + "?suggested_only=" + suggestedOnly;
        Future<JsonNode> answer = requests.submit(() -> client.get(server, uri));
        try {
            return parse(answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), roomId, server);
        } catch (TimeoutException e) {
            answer.cancel(true);
            LOG.info("No hierarchy of {} from {} within {}", roomId, server, TIMEOUT);
        } catch (ExecutionException e) {
            LOG.info("No hierarchy of {} from {}: {}", roomId, server, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
        }
        return Optional.empty();
    }

    /** The answer, checked; empty (and logged) when it is no hierarchy of {@code roomId}. */
    private static Optional<RemoteSpace> parse(JsonNode answer, String roomId, String server) {
        JsonNode room = answer.path("room");
        Optional<RoomSummary> summary = summary(room).filter(s -> s.roomId().equals(roomId));
        JsonNode childrenState = room.path("children_state");
        JsonNode children = answer.path("children");
        JsonNode inaccessible = answer.path("inaccessible_children");
        if (summary.isEmpty() || !arrayOrAbsent(childrenState) || !arrayOrAbsent(children)
                || !arrayOrAbsent(inaccessible)) {
            LOG.info("{} answered no valid hierarchy of {}", server, roomId);
            return Optional.empty();
        }
        List<SpaceChild> events = new ArrayList<>();
        childrenState.forEach(e -> SpaceChild.parse(e).ifPresent(events::add));
        Map<String, RoomSummary> byRoom = new LinkedHashMap<>();
        children.forEach(c -> summary(c).ifPresent(s -> byRoom.put(s.roomId(), s)));
        Set<String> notToAsk = new HashSet<>();
        inaccessible.forEach(id -> {
            if (id.isTextual()) {
                notToAsk.add(id.textValue());
            }
        });
        return Optional.of(new RemoteSpace(summary.get(), events, byRoom, notToAsk));
    }

    /** A room summary another server gave, without a membership (that is ours to say); empty if malformed. */
    private static Optional<RoomSummary> summary(JsonNode json) {
        if (!json.isObject() || !json.path("room_id").isTextual() || !RoomId.isValid(json.get("room_id").textValue())) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.treeToValue(json, RoomSummary.class).withMembership(null));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean arrayOrAbsent(JsonNode node) {
        return node.isMissingNode() || node.isArray();
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("remote_hierarchies", answers);
    }
}
