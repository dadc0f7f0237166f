package org.myelin.server.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.myelin.server.client.thirdparty.ThirdPartyNetworks;
import org.myelin.server.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third-party networks answered by the application services that bridge them (application
 * service API, "Third-party networks"), as Synapse's {@code get_3pe_protocols} and
 * {@code query_3pe}: a protocol's metadata is the first service's with every service's
 * {@code instances} (each given {@code instance_id} {@code <service id>|<network_id>}); lookups
 * gather what every service bridging the protocol finds. An answer that is not the API's shape
 * is left out, as is a service that fails.
 */
final class ThirdPartyLookups implements ThirdPartyNetworks {

    private static final Logger LOG = LoggerFactory.getLogger(ThirdPartyLookups.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final AppServiceRegistry registry;
    private final AppServiceClient client;

    ThirdPartyLookups(AppServiceRegistry registry, AppServiceClient client) {
        this.registry = registry;
        this.client = client;
    }

    @Override
    public Map<String, ObjectNode> protocols(String only) {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        for (AppService s : registry.all()) {
            for (String protocol : s.protocols()) {
                if (s.url() == null || (only != null && !only.equals(protocol))) {
                    continue;
                }
                JsonNode info = get(s, "/thirdparty/protocol/" + AppServiceQueries.escape(protocol));
                if (info == null || !info.isObject() || !info.path("instances").isArray()) {
                    continue;
                }
                ObjectNode copy = ((ObjectNode) info).deepCopy();
                for (JsonNode instance : copy.get("instances")) {
                    if (instance.isObject() && instance.path("network_id").isTextual()) {
                        ((ObjectNode) instance).put("instance_id", s.id() + "|" + instance.get("network_id").textValue());
                    }
                }
                ObjectNode first = merged.putIfAbsent(protocol, copy);
                if (first != null) {
                    ((ArrayNode) first.get("instances")).addAll((ArrayNode) copy.get("instances"));
                }
            }
        }
        return merged;
    }

    @Override
    public boolean bridges(String protocol) {
        return registry.all().stream().anyMatch(s -> s.url() != null && s.protocols().contains(protocol));
    }

    @Override
    public List<ObjectNode> lookup(Kind kind, String protocol, Map<String, List<String>> fields) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        fields.forEach((name, values) -> values.forEach(v ->
                query.add(AppServiceQueries.escape(name) + "=" + AppServiceQueries.escape(v))));
        List<ObjectNode> results = new ArrayList<>();
        for (AppService s : registry.all()) {
            if (s.url() == null || !s.protocols().contains(protocol)) {
                continue;
            }
            JsonNode answer = get(s, "/thirdparty/" + kind.path + "/" + AppServiceQueries.escape(protocol) + query);
            if (answer == null || !answer.isArray()) {
                continue;
            }
            for (JsonNode r : answer) {
                if (r.isObject() && r.path(kind.idField).isTextual() && r.path("protocol").isTextual()
                        && r.path("fields").isObject()) {
                    results.add((ObjectNode) r);
                } else {
                    LOG.warn("Application service {} answered a {} lookup with an invalid result", s.id(), kind.path);
                }
            }
        }
        return results;
    }

    private JsonNode get(AppService service, String path) {
        try {
            AppServiceClient.Answer answer = client.send(service, HttpMethod.GET, path, null, TIMEOUT);
            if (!answer.ok()) {
                LOG.warn("Application service {} answered {} with HTTP {}", service.id(), path, answer.status());
                return null;
            }
            return Json.MAPPER.readTree(answer.body());
        } catch (AppServiceClient.Unreachable | IOException e) {
            LOG.warn("Application service {} failed {}: {}", service.id(), path, e.getMessage());
            return null;
        }
    }
}
