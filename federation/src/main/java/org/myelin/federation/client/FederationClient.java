package org.myelin.federation.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.auth.RequestSigning;
import org.myelin.federation.discovery.Resolution;
import org.myelin.federation.discovery.ServerResolver;
import org.myelin.federation.keys.KeyFetcher;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests to other servers (server-server API): each one resolved by server name, signed with
 * X-Matrix (except the key endpoints, which need no authentication), sent over
 * {@link HttpTransport}, its answer parsed. Destinations that keep failing are backed off
 * ({@link Backoff}): calls to them fail at once with {@code BACKING_OFF}. Key fetches and
 * transactions neither wait for nor count in the backoff: keys are needed to authenticate a
 * server that shows it is back, and the outbound queue keeps the books for its transactions.
 *
 * <p>Typed calls return the JSON the spec defines, unchecked: the caller parses PDUs with the
 * room's version and runs them through the pipeline.
 */
public final class FederationClient implements KeyFetcher {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String origin;
    private final SigningKey signingKey;
    private final ServerResolver resolver;
    private final HttpTransport transport;
    private final Backoff backoff;

    public FederationClient(String origin, SigningKey signingKey, ServerResolver resolver, HttpTransport transport,
                            Backoff backoff) {
        this.origin = origin;
        this.signingKey = signingKey;
        this.resolver = resolver;
        this.transport = transport;
        this.backoff = backoff;
    }

    public Backoff backoff() {
        return backoff;
    }

    // ---- keys ----

    /** {@code GET /_matrix/key/v2/server} on {@code server}. */
    @Override
    public ObjectNode serverKeys(String server) throws FederationClientException {
        return object(call(server, "GET", "/_matrix/key/v2/server", null, false, true));
    }

    /** {@code POST /_matrix/key/v2/query} on {@code notary}, for all of {@code server}'s keys. */
    @Override
    public List<ObjectNode> notaryQuery(String notary, String server, long minimumValidUntilTs)
            throws FederationClientException {
        ObjectNode body = JSON.objectNode();
        body.putObject("server_keys").putObject(server);
        ObjectNode answer = object(call(notary, "POST", "/_matrix/key/v2/query", body, false, true));
        List<ObjectNode> documents = new ArrayList<>();
        for (JsonNode doc : array(answer, "server_keys")) {
            if (doc instanceof ObjectNode o) {
                documents.add(o);
            }
        }
        return documents;
    }

    /**
     * {@code GET /_matrix/key/v2/query/{serverName}} on {@code notary} for keys valid until at
     * least {@code minimumValidUntilTs}.
     */
    public List<ObjectNode> notaryQueryOne(String notary, String server, long minimumValidUntilTs)
            throws FederationClientException {
        ObjectNode answer = object(call(notary, "GET", "/_matrix/key/v2/query/" + encode(server)
                + "?minimum_valid_until_ts=" + minimumValidUntilTs, null, false, true));
        List<ObjectNode> documents = new ArrayList<>();
        for (JsonNode doc : array(answer, "server_keys")) {
            if (doc instanceof ObjectNode o) {
                documents.add(o);
            }
        }
        return documents;
    }

    // ---- transactions ----

    /**
     * {@code PUT /_matrix/federation/v1/send/{txnId}}: the per-PDU errors of the answer (event id to
     * error; absent for PDUs that were accepted). Ignores backoff: the outbound queue schedules its
     * own retries.
     */
    public Map<String, String> sendTransaction(String destination, String txnId, ObjectNode transaction)
            throws FederationClientException {
        ObjectNode answer = object(call(destination, "PUT", "/_matrix/federation/v1/send/" + encode(txnId),
                transaction, true, true));
        Map<String, String> errors = new LinkedHashMap<>();
        answer.path("pdus").properties().forEach(e -> {
            JsonNode error = e.getValue().path("error");
            if (error.isTextual()) {
                errors.put(e.getKey(), error.textValue());
            }
        });
        return errors;
    }

    // ---- events and state ----

    /** {@code GET /_matrix/federation/v1/event/{eventId}}: the event, unchecked. */
    public ObjectNode event(String destination, String eventId) throws FederationClientException {
        ObjectNode answer = object(get(destination, "/_matrix/federation/v1/event/" + encode(eventId)));
        ArrayNode pdus = array(answer, "pdus");
        if (pdus.isEmpty() || !(pdus.get(0) instanceof ObjectNode pdu)) {
            throw FederationClientException.badResponse("no PDU in the answer for " + eventId);
        }
        return pdu;
    }

    /** The answer of {@code /state_ids}: the state event ids and their auth chain's. */
    public record StateIds(List<String> pduIds, List<String> authChainIds) {
    }

    /** {@code GET /_matrix/federation/v1/state_ids/{roomId}?event_id=…}. */
    public StateIds stateIds(String destination, String roomId, String eventId) throws FederationClientException {
        ObjectNode answer = object(get(destination, "/_matrix/federation/v1/state_ids/" + encode(roomId)
                + "?event_id=" + encode(eventId)));
        return new StateIds(strings(array(answer, "pdu_ids")), strings(array(answer, "auth_chain_ids")));
    }

    /** The answer of {@code /state}: the state events and their auth chain, unchecked. */
    public record State(List<ObjectNode> pdus, List<ObjectNode> authChain) {
    }

    /** {@code GET /_matrix/federation/v1/state/{roomId}?event_id=…}. */
    public State state(String destination, String roomId, String eventId) throws FederationClientException {
        ObjectNode answer = object(get(destination, "/_matrix/federation/v1/state/" + encode(roomId)
                + "?event_id=" + encode(eventId)));
        return new State(objects(array(answer, "pdus")), objects(array(answer, "auth_chain")));
    }

    /** {@code GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}}: the event's auth chain. */
    public List<ObjectNode> eventAuth(String destination, String roomId, String eventId)
            throws FederationClientException {
        ObjectNode answer = object(get(destination, "/_matrix/federation/v1/event_auth/" + encode(roomId) + "/"
                + encode(eventId)));
        return objects(array(answer, "auth_chain"));
    }

    /** {@code POST /_matrix/federation/v1/get_missing_events/{roomId}}. */
    public List<ObjectNode> missingEvents(String destination, String roomId, List<String> earliest, List<String> latest,
                                          int limit, long minDepth) throws FederationClientException {
        ObjectNode body = JSON.objectNode();
        body.put("limit", limit);
        body.put("min_depth", minDepth);
        earliest.forEach(body.putArray("earliest_events")::add);
        latest.forEach(body.putArray("latest_events")::add);
        ObjectNode answer = object(call(destination, "POST", "/_matrix/federation/v1/get_missing_events/"
                + encode(roomId), body, true, false));
        return objects(array(answer, "events"));
    }

    /** {@code GET /_matrix/federation/v1/backfill/{roomId}?v=…&limit=…}. */
    public List<ObjectNode> backfill(String destination, String roomId, List<String> from, int limit)
            throws FederationClientException {
        StringBuilder uri = new StringBuilder("/_matrix/federation/v1/backfill/").append(encode(roomId)).append('?');
        for (String id : from) {
            uri.append("v=").append(encode(id)).append('&');
        }
        uri.append("limit=").append(limit);
        return objects(array(object(get(destination, uri.toString())), "pdus"));
    }

    /** The answer of {@code /timestamp_to_event}: an event id and the time the server claims for it. */
    public record ClosestEvent(String eventId, long originServerTs) {
    }

    /**
     * {@code GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=…&dir=…}: the event
     * {@code destination} has closest to {@code ts}, at or before it when {@code backwards}.
     */
    public ClosestEvent timestampToEvent(String destination, String roomId, long ts, boolean backwards)
            throws FederationClientException {
        ObjectNode answer = object(get(destination, "/_matrix/federation/v1/timestamp_to_event/" + encode(roomId)
                + "?ts=" + ts + "&dir=" + (backwards ? "b" : "f")));
        JsonNode eventId = answer.get("event_id");
        JsonNode originServerTs = answer.get("origin_server_ts");
        if (eventId == null || !eventId.isTextual() || originServerTs == null
                || !originServerTs.isIntegralNumber() || !originServerTs.canConvertToLong()) {
            throw FederationClientException.badResponse("answer has no event_id and origin_server_ts");
        }
        return new ClosestEvent(eventId.textValue(), originServerTs.longValue());
    }

    // ---- joins (the joins handshake builds on these) ----

    /** {@code GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=…}: the answer, with its event template. */
    public ObjectNode makeJoin(String destination, String roomId, String userId, List<String> roomVersions)
            throws FederationClientException {
        StringBuilder uri = new StringBuilder("/_matrix/federation/v1/make_join/").append(encode(roomId)).append('/')
                .append(encode(userId));
        char sep = '?';
        for (String v : roomVersions) {
            uri.append(sep).append("ver=").append(encode(v));
            sep = '&';
        }
        return object(get(destination, uri.toString()));
    }

    /** {@code GET /_matrix/federation/v1/version}. */
    public ObjectNode version(String destination) throws FederationClientException {
        return object(call(destination, "GET", "/_matrix/federation/v1/version", null, false, false));
    }

    // ---- generic ----

    /** A signed GET; the answer's JSON. */
    public JsonNode get(String destination, String uri) throws FederationClientException {
        return call(destination, "GET", uri, null, true, false);
    }

    /** A signed PUT or POST with a JSON body; the answer's JSON. */
    public JsonNode send(String destination, String method, String uri, JsonNode body) throws FederationClientException {
        return call(destination, method, uri, body, true, false);
    }

    /**
     * A signed GET whose answer, whatever its status, is given as soon as its headers are in, its
     * body to be read as it arrives (media, too large for memory): close it. Backed off as the
     * JSON calls are.
     */
    public HttpTransport.StreamedResponse open(String destination, String uri) throws FederationClientException {
        checkBackoff(destination);
        Resolution resolution = resolve(destination);
        Map<String, String> headers = Map.of("Authorization",
                RequestSigning.sign("GET", uri, origin, destination, null, signingKey).toString());
        HttpTransport.StreamedResponse response;
        try {
            response = transport.open(resolution, new HttpTransport.Request("GET", uri, headers, null));
        } catch (FederationClientException e) {
            backoff.failure(destination);
            throw e;
        }
        if (response.status() >= 500) {
            backoff.failure(destination);
        } else {
            backoff.success(destination);
        }
        return response;
    }

    /**
     * An unsigned GET of an {@code https} URL that a server sent us to (media it serves from
     * elsewhere), through the same transport, so the SSRF guard applies to its addresses too.
     */
    public HttpTransport.StreamedResponse openUrl(URI url) throws FederationClientException {
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw FederationClientException.badResponse("not an https URL: " + url);
        }
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        int port = url.getPort() < 0 ? 443 : url.getPort();
        String hostHeader = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + port;
        String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        return transport.open(Resolution.of(host, port, hostHeader, host),
                new HttpTransport.Request("GET", target, Map.of(), null));
    }

    private void checkBackoff(String destination) throws FederationClientException {
        if (backoff.isBackingOff(destination)) {
            throw new FederationClientException(FederationClientException.Kind.BACKING_OFF, 0, null,
                    destination + " is being backed off after failures", null);
        }
    }

    private Resolution resolve(String destination) throws FederationClientException {
        if (!ServerName.isValid(destination)) {
            throw FederationClientException.unreachable("not a server name: " + destination, null);
        }
        return resolver.resolve(ServerName.parse(destination));
    }

    /**
     * One request. {@code uri} is the path and query, already encoded (see {@link #encode}); it is
     * signed exactly as sent.
     */
    private JsonNode call(String destination, String method, String uri, JsonNode body, boolean sign,
                          boolean ignoreBackoff) throws FederationClientException {
        boolean tracked = !ignoreBackoff;
        if (tracked) {
            checkBackoff(destination);
        }
        Resolution resolution = resolve(destination);
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] bytes = null;
        if (body != null) {
            bytes = CanonicalJson.encode(body);
            headers.put("Content-Type", "application/json");
        }
        if (sign) {
            headers.put("Authorization", RequestSigning.sign(method, uri, origin, destination, body, signingKey).toString());
        }
        HttpTransport.Response response;
        try {
            response = transport.exchange(resolution, new HttpTransport.Request(method, uri, headers, bytes));
        } catch (FederationClientException e) {
            if (tracked) {
                backoff.failure(destination);
            }
            throw e;
        }
        if (tracked && response.status() >= 500) {
            backoff.failure(destination);
        } else if (tracked) {
            backoff.success(destination);
        }
        JsonNode json;
        try {
            json = MatrixJson.parse(response.body(), MatrixJson.Numbers.LENIENT);
        } catch (CanonicalJsonException e) {
            if (response.status() != 200) {
                throw new FederationClientException(FederationClientException.Kind.HTTP_ERROR, response.status(), null,
                        method + " " + destination + uri + ": HTTP " + response.status(), null);
            }
            throw FederationClientException.badResponse(method + " " + destination + uri + ": answer is not JSON");
        }
        if (response.status() != 200) {
            String errcode = json.path("errcode").asText(null);
            throw new FederationClientException(FederationClientException.Kind.HTTP_ERROR, response.status(), errcode,
                    method + " " + destination + uri + ": HTTP " + response.status()
                            + (errcode == null ? "" : " " + errcode + " " + json.path("error").asText("")), null);
        }
        return json;
    }

    private static ObjectNode object(JsonNode json) throws FederationClientException {
        if (!(json instanceof ObjectNode o)) {
            throw FederationClientException.badResponse("answer is not a JSON object");
        }
        return o;
    }

    private static ArrayNode array(ObjectNode json, String field) throws FederationClientException {
        JsonNode value = json.get(field);
        if (!(value instanceof ArrayNode a)) {
            throw FederationClientException.badResponse("answer has no array '" + field + "'");
        }
        return a;
    }

    private static List<String> strings(ArrayNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            if (n.isTextual()) {
                out.add(n.textValue());
            }
        });
        return out;
    }

    private static List<ObjectNode> objects(ArrayNode array) {
        List<ObjectNode> out = new ArrayList<>();
        array.forEach(n -> {
            if (n instanceof ObjectNode o) {
                out.add(o);
            }
        });
        return out;
    }

    /** Percent-encodes a path segment or query value: everything but RFC 3986's unreserved characters. */
    public static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
