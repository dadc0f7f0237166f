package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.Http1Connection;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.testing.TestHomeserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Phase 1, what a client does on joining a large encrypted room: {@code members} users, each
 * with one device that uploaded signed device keys, are joined to one encrypted room; one of them
 * lists the members ({@code /joined_members}) and asks {@code POST /keys/query} for all their
 * devices, again and again. Each answer must hold every member's one device; the first is checked
 * in full (the keys are those uploaded, each self-signature verifies), as a client checks it.
 */
final class KeyQueryPhase {

    static final double TARGET_P50_MS = 50;

    private final KeysOptions options;
    private final Report report;

    KeyQueryPhase(KeysOptions options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run(TestHomeserver hs) {
        HttpPool http = KeysServers.client(hs);
        int n = options.members();
        long t0 = System.nanoTime();
        List<Device> members = InParallel.map(n, 8, i -> {
            Device d = Device.register(http, String.format("kq%04d", i), String.format("KQ%04d", i));
            d.uploadDeviceKeys(http);
            return d;
        });
        report.info("phase 1: %d users registered, device keys uploaded, in %.1f s", n, secondsSince(t0));
        Device querier = members.getFirst();
        String roomId = createEncryptedRoom(http, querier);
        t0 = System.nanoTime();
        InParallel.map(n - 1, 4, i -> http.ok("POST", HttpPool.V3 + "/join/" + HttpPool.enc(roomId),
                members.get(i + 1).token, HttpPool.JSON.createObjectNode()));
        report.info("phase 1: %d users joined %s in %.1f s", n - 1, roomId, secondsSince(t0));

        JsonNode joined = http.ok("GET", HttpPool.V3 + "/rooms/" + HttpPool.enc(roomId) + "/joined_members",
                querier.token, null).path("joined");
        if (joined.size() != n) {
            throw new IllegalStateException("the room lists " + joined.size() + " members, not " + n);
        }
        ObjectNode query = HttpPool.JSON.createObjectNode().put("timeout", 10_000);
        ObjectNode wanted = query.putObject("device_keys");
        joined.fieldNames().forEachRemaining(user -> wanted.putArray(user));
        byte[] body = query.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Device> byUser = new HashMap<>();
        members.forEach(d -> byUser.put(d.userId, d));

        for (int i = 0; i < options.queryWarmup(); i++) {
            checkCounts(query(http, querier, body).body(), n);
        }
        CpuShare cpu = CpuShare.start();
        List<Double> latencies = new ArrayList<>();
        JsonNode first = null;
        long bytes = 0;
        for (int i = 0; i < options.queries(); i++) {
            long start = System.nanoTime();
            Http1Connection.Response r = query(http, querier, body);
            latencies.add((System.nanoTime() - start) / 1e6);
            bytes = r.body().length;
            JsonNode answer = checkCounts(r.body(), n);
            if (first == null) {
                first = answer;
            }
        }
        String cpuLine = cpu.stop();
        int verified = verifyInFull(first, byUser);
        Latencies l = Latencies.of(latencies);
        report.result("phase1.keys_query_" + n + "_users", l.toString(), String.format(
                "[target p50<=%.0f ms: %s]", TARGET_P50_MS, l.p50() <= TARGET_P50_MS ? "met" : "MISSED"));
        report.result("phase1.answer", String.format("%d users' device keys in every answer, %.0f kB; first answer: "
                + "%d of %d devices as uploaded with valid self-signatures", n, bytes / 1e3, verified, n), "");
        report.result("phase1.cpu", cpuLine, "");
        if (Diagnosis.wanted()) {
            Diagnosis.of(report, "phase 1, 20 more /keys/query", () -> {
                for (int i = 0; i < 20; i++) {
                    checkCounts(query(http, querier, body).body(), n);
                }
            });
        }
        http.close();
    }

    private static Http1Connection.Response query(HttpPool http, Device querier, byte[] body) {
        Http1Connection.Response r = http.exchange("POST", HttpPool.V3 + "/keys/query", querier.token, body);
        if (r.status() != 200) {
            throw new IllegalStateException("/keys/query -> " + r.status() + " " + new String(r.body()));
        }
        return r;
    }

    /** The parsed answer, once it lists one device with keys for each of the {@code n} users and no failures. */
    private static JsonNode checkCounts(byte[] body, int n) {
        JsonNode answer = HttpPool.parse(body);
        JsonNode devices = answer.path("device_keys");
        int withOneDevice = 0;
        for (JsonNode byDevice : devices) {
            if (byDevice.size() == 1) {
                withOneDevice++;
            }
        }
        if (devices.size() != n || withOneDevice != n || !answer.path("failures").isEmpty()) {
            throw new IllegalStateException("/keys/query answered " + devices.size() + " users, " + withOneDevice
                    + " with one device, failures " + answer.path("failures"));
        }
        return answer;
    }

    /** How many devices the answer gives exactly the keys they uploaded, with a valid self-signature. */
    private static int verifyInFull(JsonNode answer, Map<String, Device> byUser) {
        int ok = 0;
        for (Device d : byUser.values()) {
            JsonNode got = answer.path("device_keys").path(d.userId).path(d.deviceId);
            if (!(got instanceof ObjectNode keys)) {
                continue;
            }
            ObjectNode withoutUnsigned = keys.deepCopy();
            withoutUnsigned.remove("unsigned");
            String keyId = d.ed25519.keyId();
            String published = keys.path("keys").path(keyId).asText("");
            if (withoutUnsigned.equals(d.deviceKeys()) && published.equals(d.ed25519.verifyKey().publicKeyBase64())
                    && JsonSigning.verify(keys, d.userId, VerifyKey.fromBase64(keyId, published))) {
                ok++;
            }
        }
        if (ok != byUser.size()) {
            throw new IllegalStateException("only " + ok + " of " + byUser.size() + " devices' keys check out");
        }
        return ok;
    }

    private static String createEncryptedRoom(HttpPool http, Device creator) {
        ObjectNode body = HttpPool.JSON.createObjectNode().put("preset", "public_chat").put("name", "keys");
        ObjectNode encryption = body.putArray("initial_state").addObject().put("type", "m.room.encryption")
                .put("state_key", "");
        encryption.putObject("content").put("algorithm", Device.MEGOLM);
        return http.ok("POST", HttpPool.V3 + "/createRoom", creator.token, body).path("room_id").asText();
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
