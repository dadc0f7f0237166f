package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.OneTimeKeyRepository;
import org.myelin.storage.keys.OneTimeKeyRepository.Claim;
import org.myelin.storage.keys.OneTimeKeyRepository.ClaimedKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /keys/claim} (client-server API, "Claiming one-time keys"): one key per device and
 * algorithm asked for, the device's oldest one-time key, or its fallback key when none is left.
 * Each one-time key is handed out once, whatever claims run at the same time (the store deletes
 * and returns it in one statement). Users of other servers are claimed from through
 * {@link RemoteKeys}.
 */
final class KeyClaims {

    /** The answer ({@code keys.yaml}): user id → device id → {@code <algorithm>:<key_id>} → key. */
    record Answer(Map<String, Map<String, ObjectNode>> oneTimeKeys, Map<String, KeyFailure> failures) {
    }

    private final ServerName local;
    private final OneTimeKeyRepository store;
    private final OneTimeKeyCounts counts;
    private final RemoteKeys remote;

    KeyClaims(ServerName local, OneTimeKeyRepository store, OneTimeKeyCounts counts, RemoteKeys remote) {
        this.local = local;
        this.store = store;
        this.counts = counts;
        this.remote = remote;
    }

    Answer claim(Map<String, Map<String, String>> algorithmByDevice, long timeoutMs) {
        List<Claim> claims = new ArrayList<>();
        Map<ServerName, Map<String, Map<String, String>>> remoteClaims = new LinkedHashMap<>();
        algorithmByDevice.forEach((user, devices) -> {
            if (!UserId.isValid(user)) {
                return;
            }
            ServerName server = UserId.parse(user).server();
            if (server.equals(local)) {
                devices.forEach((device, algorithm) -> claims.add(new Claim(user, device, algorithm)));
            } else {
                remoteClaims.computeIfAbsent(server, s -> new LinkedHashMap<>()).put(user, devices);
            }
        });
        Answer answer = new Answer(new TreeMap<>(), new TreeMap<>());
        for (ClaimedKey key : store.claim(claims)) {
            counts.invalidate(key.claim().userId(), key.claim().deviceId());
            answer.oneTimeKeys().computeIfAbsent(key.claim().userId(), u -> new TreeMap<>())
                    .computeIfAbsent(key.claim().deviceId(), d -> JsonNodeFactory.instance.objectNode())
                    .set(key.claim().algorithm() + ":" + key.keyId(), KeyJson.parse(key.keyJson()));
        }
        Map<ServerName, RemoteKeys.ClaimAnswer> answers = ServersInParallel.ask(remoteClaims,
                (server, users) -> remote.claim(server, users, timeoutMs));
        remoteClaims.forEach((server, users) -> {
            RemoteKeys.ClaimAnswer got = answers.get(server);
            if (got.failure() != null) {
                answer.failures().put(server.value(), got.failure());
            }
            got.oneTimeKeys().forEach((user, devices) -> {
                if (users.containsKey(user)) {
                    answer.oneTimeKeys().put(user, devices);
                }
            });
        });
        return answer;
    }

    /** The {@code one_time_keys} of a claim body: user id → device id → algorithm, checked. */
    static Map<String, Map<String, String>> algorithmByDevice(JsonNode body) {
        JsonNode node = body.get("one_time_keys");
        if (!(node instanceof ObjectNode users)) {
            throw MatrixException.badJson("'one_time_keys' must be a JSON object");
        }
        Map<String, Map<String, String>> query = new LinkedHashMap<>();
        users.properties().forEach(u -> {
            Map<String, String> devices = new LinkedHashMap<>();
            KeyJson.object(u.getValue(), "one_time_keys." + u.getKey()).properties().forEach(d ->
                    devices.put(d.getKey(), KeyJson.text(d.getValue(), "one_time_keys." + u.getKey() + "." + d.getKey())));
            query.put(u.getKey(), devices);
        });
        return query;
    }
}
