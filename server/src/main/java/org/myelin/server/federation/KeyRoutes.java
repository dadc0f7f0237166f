package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.keys.KeyRing;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Publishing this server's keys and answering as a notary for other servers' (server-server API,
 * "Retrieving server keys"). No authentication: anyone may ask for keys. The paths with a key id
 * that Matrix 1.6 dropped are served too, as Synapse still serves them and older releases (Synapse
 * 1.67 among them) still ask them: without them, those servers verify nothing this one signs.
 */
final class KeyRoutes implements Routes {

    /** Most servers one batch query may ask about. */
    static final int MAX_SERVERS_PER_QUERY = 100;

    private final KeyRing keys;
    private final Clock clock;

    KeyRoutes(KeyRing keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** The notary's answer: the key documents, each signed by the queried server and by us. */
    record ServerKeysResponse(List<ObjectNode> serverKeys) {
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/key/v2/server").handler(handlers.blocking(ctx -> server()));
        router.get("/_matrix/key/v2/server/:keyId").handler(handlers.blocking(ctx -> server()));
        router.get("/_matrix/key/v2/query/:serverName").handler(handlers.blocking(this::queryOne));
        router.get("/_matrix/key/v2/query/:serverName/:keyId").handler(handlers.blocking(this::queryOne));
        router.post("/_matrix/key/v2/query").handler(handlers.blocking(this::queryBatch));
    }

    /**
     * {@code GET /_matrix/key/v2/server} ("Publishing Keys"): our keys, signed, valid for the
     * configured time. Also {@code GET /_matrix/key/v2/server/{keyId}} of older spec versions,
     * whose key id is ignored as the spec then allowed: the document holds every key.
     */
    JsonResponse server() {
        return JsonResponse.ok(keys.local().document());
    }

    /**
     * {@code GET /_matrix/key/v2/query/{serverName}?minimum_valid_until_ts=…} ("Querying Keys
     * Through Another Server"): the server's keys, from our cache or fetched, signed by us. Also
     * {@code GET /_matrix/key/v2/query/{serverName}/{keyId}} of older spec versions: the
     * documents holding that key.
     */
    JsonResponse queryOne(RoutingContext ctx) {
        String server = ctx.pathParam("serverName");
        String keyId = ctx.pathParam("keyId");
        long minimum = longParam(ctx.queryParam("minimum_valid_until_ts"), clock.millis());
        if (!ServerName.isValid(server)) {
            return JsonResponse.ok(new ServerKeysResponse(List.of()));
        }
        Set<String> keyIds = keyId == null ? Set.of() : Set.of(keyId);
        return JsonResponse.ok(new ServerKeysResponse(signed(keys.documentsFor(server, keyIds, minimum))));
    }

    /**
     * {@code POST /_matrix/key/v2/query}: for each server asked about, its keys (the ones named, or
     * all), valid until at least the greatest {@code minimum_valid_until_ts} asked for (now if none).
     */
    JsonResponse queryBatch(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx);
        JsonNode servers = body.path("server_keys");
        if (!servers.isObject()) {
            throw MatrixException.badJson("server_keys must be an object");
        }
        if (servers.size() > MAX_SERVERS_PER_QUERY) {
            throw MatrixException.badJson("At most " + MAX_SERVERS_PER_QUERY + " servers per query");
        }
        long now = clock.millis();
        List<ObjectNode> documents = new ArrayList<>();
        for (Map.Entry<String, JsonNode> server : servers.properties()) {
            if (!ServerName.isValid(server.getKey())) {
                continue;
            }
            Set<String> keyIds = new LinkedHashSet<>();
            long minimum = now;
            for (Map.Entry<String, JsonNode> key : server.getValue().properties()) {
                keyIds.add(key.getKey());
                JsonNode ts = key.getValue().path("minimum_valid_until_ts");
                if (ts.canConvertToLong()) {
                    minimum = Math.max(minimum, ts.asLong());
                }
            }
            documents.addAll(signed(keys.documentsFor(server.getKey(), keyIds, minimum)));
        }
        return JsonResponse.ok(new ServerKeysResponse(documents));
    }

    private List<ObjectNode> signed(List<ObjectNode> documents) {
        return documents.stream().map(d -> keys.local().sign(d)).toList();
    }

    private static long longParam(List<String> values, long fallback) {
        if (values.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(values.getFirst());
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("minimum_valid_until_ts must be an integer");
        }
    }
}
