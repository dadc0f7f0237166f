package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.client.keys.KeyFailure;
import org.myelin.server.client.keys.RemoteKeys;
import org.myelin.server.http.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The keys of other servers' users (server-server API, "End-to-End Encryption"): {@code POST
 * /user/keys/query} and {@code /user/keys/claim} to their server, one request per server, given up
 * after the client's timeout (the server is then a {@code failures} entry). Users whose device
 * list we cache (we share a room with them, see {@link RemoteDeviceLists}) are answered from the
 * cache, as Synapse does.
 */
final class FederatedKeys implements RemoteKeys, AutoCloseable {

    private final FederationClient client;
    private final RemoteDeviceLists cache;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

    FederatedKeys(FederationClient client, RemoteDeviceLists cache) {
        this.client = client;
        this.cache = cache;
    }

    @Override
    public QueryAnswer query(ServerName server, Map<String, List<String>> devicesByUser, long timeoutMs) {
        Map<String, Map<String, ObjectNode>> devices = new TreeMap<>();
        Map<String, ObjectNode> masters = new TreeMap<>();
        Map<String, ObjectNode> selfSigning = new TreeMap<>();
        Map<String, List<String>> ask = new LinkedHashMap<>(devicesByUser);
        cache.answer(devicesByUser).forEach((user, cached) -> {
            ask.remove(user);
            devices.put(user, cached.devices());
            if (cached.masterKey() != null) {
                masters.put(user, cached.masterKey());
            }
            if (cached.selfSigningKey() != null) {
                selfSigning.put(user, cached.selfSigningKey());
            }
        });
        if (ask.isEmpty()) {
            return new QueryAnswer(devices, masters, selfSigning, null);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode users = body.putObject("device_keys");
        ask.forEach((user, ids) -> ids.forEach(users.putArray(user)::add));
        ObjectNode answer;
        try {
            answer = call(server, "/_matrix/federation/v1/user/keys/query", body, timeoutMs);
        } catch (Failed f) {
            return new QueryAnswer(devices, masters, selfSigning, f.failure);
        }
        answer.path("device_keys").properties().forEach(u -> {
            if (ask.containsKey(u.getKey()) && u.getValue() instanceof ObjectNode byDevice) {
                devices.put(u.getKey(), objects(byDevice));
            }
        });
        keysOf(answer.path("master_keys"), ask, masters);
        keysOf(answer.path("self_signing_keys"), ask, selfSigning);
        return new QueryAnswer(devices, masters, selfSigning, null);
    }

    @Override
    public ClaimAnswer claim(ServerName server, Map<String, Map<String, String>> algorithmByDevice, long timeoutMs) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode users = body.putObject("one_time_keys");
        algorithmByDevice.forEach((user, devices) -> {
            ObjectNode byDevice = users.putObject(user);
            devices.forEach(byDevice::put);
        });
        ObjectNode answer;
        try {
            answer = call(server, "/_matrix/federation/v1/user/keys/claim", body, timeoutMs);
        } catch (Failed f) {
            return ClaimAnswer.failed(f.failure);
        }
        Map<String, Map<String, ObjectNode>> keys = new TreeMap<>();
        answer.path("one_time_keys").properties().forEach(u -> {
            if (algorithmByDevice.containsKey(u.getKey()) && u.getValue() instanceof ObjectNode byDevice) {
                keys.put(u.getKey(), objects(byDevice));
            }
        });
        return new ClaimAnswer(keys, null);
    }

    /** The request, given up after {@code timeoutMs}: the client may still be waiting on a slow server. */
    private ObjectNode call(ServerName server, String path, ObjectNode body, long timeoutMs) throws Failed {
        Future<JsonNode> answer = requests.submit(() -> client.send(server.value(), "POST", path, body));
        try {
            JsonNode json = answer.get(timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (!(json instanceof ObjectNode o)) {
                throw new Failed(KeyFailure.unreachable(server + " answered with something other than a JSON object"));
            }
            return o;
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new Failed(KeyFailure.unreachable(server + " did not answer in time"));
        } catch (ExecutionException e) {
            throw new Failed(failure(server, e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            throw new Failed(KeyFailure.unreachable("interrupted"));
        }
    }

    private static KeyFailure failure(ServerName server, Throwable cause) {
        if (cause instanceof FederationClientException e && e.status() > 0) {
            String message = server + ": " + e.getMessage();
            return new KeyFailure(e.status(), e.errcode(), message, message);
        }
        return KeyFailure.unreachable(server + " could not be reached: " + cause.getMessage());
    }

    private static void keysOf(JsonNode byUser, Map<String, ?> asked, Map<String, ObjectNode> into) {
        byUser.properties().forEach(u -> {
            if (asked.containsKey(u.getKey()) && u.getValue() instanceof ObjectNode key) {
                into.put(u.getKey(), key);
            }
        });
    }

    private static Map<String, ObjectNode> objects(ObjectNode byKey) {
        Map<String, ObjectNode> out = new TreeMap<>();
        byKey.properties().forEach(e -> {
            if (e.getValue() instanceof ObjectNode o) {
                out.put(e.getKey(), o);
            }
        });
        return out;
    }

    static final long DEFAULT_TIMEOUT_MS = 10_000;

    /** A server that did not give a usable answer. */
    private static final class Failed extends Exception {
        final KeyFailure failure;

        Failed(KeyFailure failure) {
            super(failure.error(), null, false, false);
            this.failure = failure;
        }
    }

    @Override
    public void close() {
        requests.shutdownNow();
    }
}
