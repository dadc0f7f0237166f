package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The keys of our users as other servers get them (server-server API, "End-to-End Encryption",
 * "Device Management"): {@code /user/keys/query}, {@code /user/keys/claim} and
 * {@code /user/devices} answer from here, and the device list updates sent to other servers start
 * from {@link #listen}. Users of other servers named in a request are left out: a server is asked
 * only of its own users.
 */
public final class ServedKeys {

    /** A device as other servers see it: its keys (without {@code unsigned}) and display name (null if none). */
    public record Device(String deviceId, ObjectNode keys, String displayName) {
    }

    /** A user's device list: device id → device, and the cross-signing keys (null if none). */
    public record DeviceList(Map<String, Device> devices, ObjectNode masterKey, ObjectNode selfSigningKey) {
    }

    private final ServerName local;
    private final KeyQueries queries;
    private final KeyClaims claims;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    ServedKeys(ServerName local, KeyQueries queries, KeyClaims claims) {
        this.local = local;
        this.queries = queries;
        this.claims = claims;
    }

    /** The body of a {@code /user/keys/query} answer: {@code device_keys}, {@code master_keys}, {@code self_signing_keys}. */
    public ObjectNode query(Map<String, List<String>> devicesByUser) {
        KeyQueries.Answer answer = queries.query(null, localOnly(devicesByUser), 0);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode devices = body.putObject("device_keys");
        answer.deviceKeys().forEach((user, byDevice) -> devices.set(user, objectOf(byDevice)));
        body.set("master_keys", objectOf(answer.masterKeys()));
        body.set("self_signing_keys", objectOf(answer.selfSigningKeys()));
        return body;
    }

    /** The body of a {@code /user/keys/claim} answer: {@code one_time_keys}. */
    public ObjectNode claim(Map<String, Map<String, String>> algorithmByDevice) {
        KeyClaims.Answer answer = claims.claim(localOnly(algorithmByDevice), 0);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode keys = body.putObject("one_time_keys");
        answer.oneTimeKeys().forEach((user, byDevice) -> keys.set(user, objectOf(byDevice)));
        return body;
    }

    /** One of our users' devices with keys, and their master and self-signing keys. */
    public DeviceList deviceList(String userId) {
        KeyQueries.Answer answer = queries.query(null, Map.of(userId, List.of()), 0);
        Map<String, Device> devices = new TreeMap<>();
        answer.deviceKeys().getOrDefault(userId, Map.of()).forEach((id, keys) -> {
            ObjectNode copy = keys.deepCopy();
            String name = copy.path("unsigned").path("device_display_name").asText(null);
            copy.remove("unsigned");
            devices.put(id, new Device(id, copy, name));
        });
        return new DeviceList(devices, answer.masterKeys().get(userId), answer.selfSigningKeys().get(userId));
    }

    /** Calls {@code listener} with the user id after each committed change of one of our users' device lists. */
    public void listen(Consumer<String> listener) {
        listeners.add(listener);
    }

    void changed(String userId) {
        if (UserId.isValid(userId) && UserId.parse(userId).server().equals(local)) {
            listeners.forEach(l -> l.accept(userId));
        }
    }

    private <V> Map<String, V> localOnly(Map<String, V> byUser) {
        Map<String, V> mine = new LinkedHashMap<>();
        byUser.forEach((user, v) -> {
            if (UserId.isValid(user) && UserId.parse(user).server().equals(local)) {
                mine.put(user, v);
            }
        });
        return mine;
    }

    private static ObjectNode objectOf(Map<String, ObjectNode> map) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        map.forEach(o::set);
        return o;
    }
}
