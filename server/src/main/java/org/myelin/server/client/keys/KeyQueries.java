package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.CrossSigningRepository;
import org.myelin.storage.keys.CrossSigningRepository.Signature;
import org.myelin.storage.keys.CrossSigningRepository.StoredKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /keys/query} (client-server API, "Downloading keys"): the device keys of the users
 * asked for, with each device's display name under {@code unsigned}, and their cross-signing
 * keys, each with the signatures the requester may see. A user-signing key is shown to its owner
 * only. Users of other servers are asked through {@link RemoteKeys}; a server that does not answer
 * is a {@code failures} entry.
 */
final class KeyQueries {

    /** The answer ({@code keys.yaml}). */
    record Answer(Map<String, Map<String, ObjectNode>> deviceKeys, Map<String, KeyFailure> failures,
                  Map<String, ObjectNode> masterKeys, Map<String, ObjectNode> selfSigningKeys,
                  Map<String, ObjectNode> userSigningKeys) {
    }

    static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final ServerName local;
    private final DeviceKeysCache deviceKeys;
    private final CrossSigningRepository crossSigning;
    private final RemoteKeys remote;

    KeyQueries(ServerName local, DeviceKeysCache deviceKeys, CrossSigningRepository crossSigning,
               RemoteKeys remote) {
        this.local = local;
        this.deviceKeys = deviceKeys;
        this.crossSigning = crossSigning;
        this.remote = remote;
    }

    /** Answers the query of {@code requester} (a user id) for {@code devicesByUser} (an empty list: all devices). */
    Answer query(String requester, Map<String, List<String>> devicesByUser, long timeoutMs) {
        Map<String, List<String>> localUsers = new LinkedHashMap<>();
        Map<ServerName, Map<String, List<String>>> remoteUsers = new LinkedHashMap<>();
        devicesByUser.forEach((user, devices) -> {
            if (!UserId.isValid(user)) {
                return; // as Synapse: the same answer as for a user without keys
            }
            ServerName server = UserId.parse(user).server();
            if (server.equals(local)) {
                localUsers.put(user, devices);
            } else {
                remoteUsers.computeIfAbsent(server, s -> new LinkedHashMap<>()).put(user, devices);
            }
        });
        Answer answer = new Answer(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        local(requester, localUsers, answer);
        Map<ServerName, RemoteKeys.QueryAnswer> answers = ServersInParallel.ask(remoteUsers,
                (server, users) -> remote.query(server, users, timeoutMs));
        remoteUsers.forEach((server, users) -> {
            RemoteKeys.QueryAnswer got = answers.get(server);
            if (got.failure() != null) {
                answer.failures().put(server.value(), got.failure());
            }
            got.deviceKeys().forEach((user, devices) -> {
                if (users.containsKey(user)) {
                    answer.deviceKeys().put(user, devices);
                }
            });
            got.masterKeys().forEach((user, key) -> putIfAsked(users, answer.masterKeys(), user, key));
            got.selfSigningKeys().forEach((user, key) -> putIfAsked(users, answer.selfSigningKeys(), user, key));
        });
        return answer;
    }

    private static void putIfAsked(Map<String, ?> asked, Map<String, ObjectNode> into, String user, ObjectNode key) {
        if (asked.containsKey(user)) {
            into.put(user, key);
        }
    }

    private void local(String requester, Map<String, List<String>> users, Answer answer) {
        if (users.isEmpty()) {
            return;
        }
        Map<String, Map<String, ObjectNode>> devices = deviceKeys.devicesOf(users.keySet());
        Map<String, Map<String, ObjectNode>> signedObjects = new HashMap<>(); // user → target id → object
        users.forEach((user, asked) -> {
            Map<String, ObjectNode> answered = new TreeMap<>();
            devices.getOrDefault(user, Map.of()).forEach((deviceId, keys) -> {
                if (asked.isEmpty() || asked.contains(deviceId)) {
                    answered.put(deviceId, keys);
                }
            });
            answer.deviceKeys().put(user, answered);
        });
        Map<String, Map<String, StoredKey>> crossSigningKeys = crossSigning.keys(users.keySet());
        crossSigningKeys.forEach((user, byType) -> byType.forEach((type, stored) -> {
            ObjectNode key = KeyJson.object(KeyJson.parse(stored.keyJson()), "stored cross-signing key");
            switch (type) {
                case CrossSigning.MASTER -> {
                    answer.masterKeys().put(user, key);
                    signedObjects.computeIfAbsent(user, u -> new HashMap<>()).put(CrossSigning.publicPart(stored.keyId()), key);
                }
                case CrossSigning.SELF_SIGNING -> answer.selfSigningKeys().put(user, key);
                case CrossSigning.USER_SIGNING -> {
                    if (user.equals(requester)) {
                        answer.userSigningKeys().put(user, key);
                    }
                }
                default -> { }
            }
        }));
        List<Signature> signatures = new ArrayList<>(crossSigning.signaturesOn(users.keySet(), requester));
        for (Signature s : signatures) {
            ObjectNode target = signedObjects.getOrDefault(s.targetUserId(), Map.of()).get(s.targetId());
            if (target == null) {
                // A device's keys are shared with the cache and other answers: sign a copy of them.
                Map<String, ObjectNode> ofUser = answer.deviceKeys().getOrDefault(s.targetUserId(), Map.of());
                ObjectNode shared = ofUser.get(s.targetId());
                if (shared == null) {
                    continue;
                }
                target = shared.deepCopy();
                ofUser.put(s.targetId(), target);
                signedObjects.computeIfAbsent(s.targetUserId(), u -> new HashMap<>()).put(s.targetId(), target);
            }
            KeyJson.addSignature(target, s.signerUserId(), s.signerKeyId(), s.signature());
        }
    }

    /** The {@code device_keys} of a query body: user id → device ids, checked (400 M_BAD_JSON otherwise). */
    static Map<String, List<String>> devicesByUser(JsonNode body) {
        JsonNode node = body.get("device_keys");
        if (!(node instanceof ObjectNode users)) {
            throw MatrixException.badJson("'device_keys' must be a JSON object");
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        users.properties().forEach(e -> {
            if (!e.getValue().isArray()) {
                throw MatrixException.badJson("'device_keys' values must be a list of strings");
            }
            List<String> devices = new ArrayList<>();
            e.getValue().forEach(d -> devices.add(KeyJson.text(d, "device_keys." + e.getKey() + "[]")));
            query.put(e.getKey(), devices);
        });
        return query;
    }
}
