package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.server.client.directory.PublicRoomsQuery;
import org.myelin.server.client.directory.PublicRoomsResponse;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client-server API's {@link RemoteDirectory} over federation (server-server API, "Querying
 * for information": {@code query/directory}; "Public Room Directory": {@code publicRooms}).
 */
final class FederatedDirectory implements RemoteDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedDirectory.class);

    private final FederationClient client;

    FederatedDirectory(FederationClient client) {
        this.client = client;
    }

    @Override
    public Optional<Resolved> resolve(String alias) {
        String server = RoomAlias.parse(alias).server().toString();
        try {
            JsonNode answer = client.get(server, "/_matrix/federation/v1/query/directory?room_alias="
                    + FederationClient.encode(alias));
            String roomId = answer.path("room_id").asText(null);
            if (roomId == null) {
                return Optional.empty();
            }
            List<String> servers = new ArrayList<>();
            answer.path("servers").forEach(s -> {
                if (s.isTextual()) {
                    servers.add(s.textValue());
                }
            });
            if (!servers.contains(server)) {
                servers.add(server);
            }
            return Optional.of(new Resolved(roomId, List.copyOf(servers)));
        } catch (FederationClientException e) {
            LOG.info("Cannot resolve {} through {}: {} ({})", alias, server, e.getMessage(), e.kind());
            return Optional.empty();
        }
    }

    @Override
    public PublicRoomsResponse publicRooms(String server, PublicRoomsQuery query) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (query.limit() != null) {
            body.put("limit", query.limit());
        }
        if (query.since() != null) {
            body.put("since", query.since());
        }
        if (query.searchTerm() != null || query.roomTypes() != null) {
            ObjectNode filter = body.putObject("filter");
            if (query.searchTerm() != null) {
                filter.put("generic_search_term", query.searchTerm());
            }
            if (query.roomTypes() != null) {
                query.roomTypes().forEach(t -> {
                    if (t == null) {
                        filter.withArray("room_types").addNull();
                    } else {
                        filter.withArray("room_types").add(t);
                    }
                });
            }
        }
        try {
            JsonNode answer = client.send(server, "POST", "/_matrix/federation/v1/publicRooms", body);
            return Json.MAPPER.treeToValue(answer, PublicRoomsResponse.class);
        } catch (FederationClientException e) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Cannot read the room directory of " + server + ": "
                    + e.getMessage()).withStatus(502);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, server + " answered with no room directory").withStatus(502);
        }
    }
}
