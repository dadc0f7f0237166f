package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.Http1Connection;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.server.testing.TestHomeserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Phase 2, many clients starting Olm sessions at once: {@code claimDevices} devices (one user
 * each) upload {@code otks} signed one-time keys and a fallback key; then {@code claims}
 * {@code POST /keys/claim} run over {@code connections} connections at once, claim {@code i}
 * asking one {@code signed_curve25519} key of each of the devices {@code (i + j·D/k) mod D},
 * {@code j < k} ({@code D} devices, {@code k = keysPerClaim}), in a random order (the order of a
 * JSON object, which is the order a server may lock them in). Every device is asked for the same
 * number of keys. Afterwards every answer is checked: one key per device asked, signed by that
 * device, one of those it uploaded (or its fallback key once its one-time keys are gone), no
 * one-time key handed out twice, and the counts the server reports left add up.
 */
final class KeyClaimPhase {

    private final KeysOptions options;
    private final Report report;

    KeyClaimPhase(KeysOptions options, Report report) {
        this.options = options;
        this.report = report;
    }

    /** One claim's answer, as received. */
    private record Answer(int claim, int status, byte[] body, double ms) {
    }

    void run(TestHomeserver hs) throws InterruptedException {
        HttpPool http = KeysServers.client(hs);
        int d = options.claimDevices();
        int k = options.keysPerClaim();
        if (d % k != 0) {
            throw new IllegalArgumentException("claimDevices must be a multiple of keysPerClaim");
        }
        long t0 = System.nanoTime();
        List<Device> devices = InParallel.map(d, 8, i -> {
            Device dev = Device.register(http, String.format("kc%04d", i), String.format("KC%04d", i));
            dev.uploadDeviceKeys(http);
            return dev;
        });
        List<Set<String>> uploaded = InParallel.map(d, 8,
                i -> new HashSet<>(devices.get(i).uploadOneTimeKeys(http, options.otks(), 50)));
        int perDevice = options.claims() * k / d;
        report.info("phase 2: %d devices registered, %d one-time keys and a fallback key each uploaded in %.1f s; "
                + "each device will be asked for %d keys (%s)", d, options.otks(), KeyQueryPhase.secondsSince(t0),
                perDevice, perDevice <= options.otks() ? "all one-time keys, no fallback expected"
                        : (perDevice - options.otks()) + " more than it has: the fallback key for those");

        List<byte[]> bodies = claimBodies(devices, options.claims(), k);
        Run run = claimAll(hs, devices, bodies);
        List<Answer> answers = run.answers();
        int connections = Math.min(options.connections(), bodies.size());
        report.result("phase2.claims_per_second", String.format("%.0f claims/s (%d claims of %d keys each in %.2f s "
                        + "over %d connections; %.0f keys/s)", bodies.size() / run.seconds(), bodies.size(), k,
                run.seconds(), connections, bodies.size() * k / run.seconds()), "");
        report.result("phase2.claim_latency", Latencies.of(answers.stream().map(Answer::ms).toList()).toString(), "");
        report.result("phase2.cpu", run.cpu(), "");
        Check check = check(answers, devices, uploaded, d, k);
        int left = 0;
        int expectedLeft = 0;
        for (int i = 0; i < d; i++) {
            left += devices.get(i).oneTimeKeysLeft(http);
            expectedLeft += uploaded.get(i).size() - check.handedOut.get(i).size();
        }
        report.result("phase2.claims_verified", String.format("%d of %d answered 200; %d one-time keys handed out, "
                        + "%d twice; %d fallback keys; %d keys missing; %d bad signatures; %d keys left (server's count; "
                        + "%d expected)", check.ok, answers.size(), check.oneTime, check.twice, check.fallback,
                check.missing, check.badSignature, left, expectedLeft),
                check.twice == 0 && check.missing == 0 && check.badSignature == 0 && check.ok == answers.size()
                        && left == expectedLeft ? "[every key once: met]" : "[MISSED]");
        if (Diagnosis.wanted()) {
            // As many keys again, under other ids, for the same claims once more.
            InParallel.map(d, 8, i -> devices.get(i).uploadOneTimeKeys(http, perDevice, 50, "BBBB"));
            Diagnosis.of(report, "phase 2, the claims once more", () -> {
                try {
                    Run again = claimAll(hs, devices, bodies);
                    report.info("phase 2 diagnosed: %.0f claims/s, %s; %d answered 200", bodies.size() / again.seconds(),
                            Latencies.of(again.answers().stream().map(Answer::ms).toList()),
                            again.answers().stream().filter(a -> a.status() == 200).count());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        http.close();
    }

    private static List<byte[]> claimBodies(List<Device> devices, int claims, int k) {
        int d = devices.size();
        Random random = new Random(42);
        int stride = d / k;
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            List<Device> asked = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                asked.add(devices.get((i + j * stride) % d));
            }
            Collections.shuffle(asked, random);
            ObjectNode body = HttpPool.JSON.createObjectNode().put("timeout", 10_000);
            ObjectNode keys = body.putObject("one_time_keys");
            asked.forEach(dev -> keys.putObject(dev.userId).put(dev.deviceId, Device.SIGNED_CURVE25519));
            bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }

    /** A run of claims: the answers in claim order, its wall time, and the CPU used meanwhile. */
    private record Run(List<Answer> answers, double seconds, String cpu) {
    }

    /** Runs every claim, {@code connections} at a time, each connection opened before the clock starts. */
    private Run claimAll(TestHomeserver hs, List<Device> devices, List<byte[]> bodies) throws InterruptedException {
        int connections = Math.min(options.connections(), bodies.size());
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(connections);
        for (int c = 0; c < connections; c++) {
            Thread.ofVirtual().start(() -> {
                try (Http1Connection connection = new Http1Connection("127.0.0.1", hs.clientPort())) {
                    ready.countDown();
                    go.await();
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        String token = devices.get(i % devices.size()).token;
                        long start = System.nanoTime();
                        Http1Connection.Response r = connection.exchange("POST", HttpPool.V3 + "/keys/claim", token,
                                bodies.get(i));
                        answers.add(new Answer(i, r.status(), r.body(), (System.nanoTime() - start) / 1e6));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        ready.await();
        CpuShare cpu = CpuShare.start();
        long start = System.nanoTime();
        go.countDown();
        done.await();
        double seconds = KeyQueryPhase.secondsSince(start);
        String cpuLine = cpu.stop();
        List<Answer> sorted = new ArrayList<>(answers);
        sorted.sort((a, b) -> Integer.compare(a.claim(), b.claim()));
        return new Run(sorted, seconds, cpuLine);
    }

    /** What the answers handed out, device by device. */
    private static final class Check {
        final List<Set<String>> handedOut = new ArrayList<>();
        int ok;
        int oneTime;
        int twice;
        int fallback;
        int missing;
        int badSignature;
    }

    private Check check(List<Answer> answers, List<Device> devices, List<Set<String>> uploaded, int d, int k) {
        Check check = new Check();
        for (int i = 0; i < d; i++) {
            check.handedOut.add(new HashSet<>());
        }
        for (Answer a : answers) {
            if (a.status() != 200) {
                report.info("phase 2: claim %d answered %d %s", a.claim(), a.status(), new String(a.body(),
                        StandardCharsets.UTF_8));
                check.missing += k;
                continue;
            }
            check.ok++;
            JsonNode keys = HttpPool.parse(a.body()).path("one_time_keys");
            int stride = d / k;
            for (int j = 0; j < k; j++) {
                int i = (a.claim() + j * stride) % d;
                Device dev = devices.get(i);
                JsonNode got = keys.path(dev.userId).path(dev.deviceId);
                if (got.size() != 1) {
                    check.missing++;
                    continue;
                }
                String name = got.fieldNames().next();
                JsonNode key = got.get(name);
                String id = name.substring(name.indexOf(':') + 1);
                if (!(key instanceof ObjectNode signed)
                        || !JsonSigning.verify(signed, dev.userId, dev.ed25519.verifyKey())) {
                    check.badSignature++;
                }
                if (id.equals(Device.FALLBACK_KEY_ID)) {
                    check.fallback++;
                } else if (!uploaded.get(i).contains(id)) {
                    check.missing++;
                } else if (!check.handedOut.get(i).add(id)) {
                    check.twice++;
                } else {
                    check.oneTime++;
                }
            }
        }
        return check;
    }
}
