package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.federation.FederationRequestLog;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.Http1Connection;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.server.testing.TestHomeserver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Phase 3, to-device messages across two servers: Myelins A and B federating over TLS on
 * loopback; {@code recipients} users on B with {@code devicesPerRecipient} devices each, every
 * device long-polling {@code /sync}; {@code senders} users on A send {@code messages} to-device
 * messages in all, each {@code PUT /sendToDevice/m.room.encrypted/{txnId}} carrying one Olm-sized
 * message for every device on B (as a client shares a room key), each sender's requests one after
 * the other, the senders at once. Each message carries a unique id. Measured: from the first
 * request until the last message shows in B's {@code /sync}; checked: every message arrived
 * exactly once, and in the order its sender sent it, at every device. One untimed round first
 * (each sender one request) lets A discover B and the code warm up.
 */
final class ToDevicePhase {

    private final KeysOptions options;
    private final Report report;

    ToDevicePhase(KeysOptions options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws InterruptedException {
        FederationRequestLog logB = new FederationRequestLog();
        try (TestHomeserver a = KeysServers.boot(options.pool(), new FederationRequestLog());
             TestHomeserver b = KeysServers.boot(options.pool(), logB)) {
            HttpPool httpA = KeysServers.client(a);
            HttpPool httpB = KeysServers.client(b);
            int perUser = options.devicesPerRecipient();
            List<Device> devices = InParallel.map(options.recipients(), 4, u -> {
                List<Device> own = new ArrayList<>();
                own.add(Device.register(httpB, String.format("td%02d", u), String.format("TD%02dD00", u)));
                for (int j = 1; j < perUser; j++) {
                    own.add(own.getFirst().login(httpB, String.format("TD%02dD%02d", u, j)));
                }
                return own;
            }).stream().flatMap(List::stream).toList();
            List<Device> senders = InParallel.map(options.senders(), 4,
                    s -> Device.register(httpA, String.format("snd%02d", s), String.format("SND%02d", s)));
            if (options.messages() % devices.size() != 0) {
                throw new IllegalArgumentException("messages must be a multiple of the devices on B, " + devices.size());
            }
            int puts = options.messages() / devices.size();

            AtomicInteger measured = new AtomicInteger();
            AtomicInteger warmups = new AtomicInteger();
            List<DeviceInbox> inboxes = devices.stream().map(d -> new DeviceInbox(d, httpB, measured, warmups)).toList();
            inboxes.forEach(DeviceInbox::start);
            report.info("phase 3: %d devices on B (%d users) long-polling /sync, %d senders on A; %d requests of %d "
                    + "messages", devices.size(), options.recipients(), senders.size(), puts, devices.size());

            long t0 = System.nanoTime();
            sendAll(httpA, senders, devices, senders.size(), true);
            int warmupExpected = senders.size() * devices.size();
            awaitCount(warmups, warmupExpected, inboxes);
            report.info("phase 3: warm-up round (%d messages) delivered in %.1f s", warmupExpected,
                    KeyQueryPhase.secondsSince(t0));
            report.info("phase 3: B's federation listener in the warm-up: %s", logB.drain());

            CpuShare cpu = CpuShare.start();
            long start = System.nanoTime();
            AtomicLongArray sentAt = sendAll(httpA, senders, devices, puts, false);
            double acked = KeyQueryPhase.secondsSince(start);
            boolean complete = awaitCount(measured, options.messages(), inboxes);
            inboxes.forEach(DeviceInbox::stop);
            String cpuLine = cpu.stop();
            verify(inboxes, senders, puts, sentAt, start, acked, complete);
            report.result("phase3.cpu", cpuLine, "(A, B, the senders and the 100 syncing clients)");
            report.info("phase 3: B's federation listener: %s", logB.drain());
            httpA.close();
            httpB.close();
        }
    }

    /**
     * Sends {@code puts} requests, request {@code p} by sender {@code p mod senders}, each sender's
     * one after the other; when each request started.
     */
    private AtomicLongArray sendAll(HttpPool http, List<Device> senders, List<Device> devices, int puts,
                                    boolean warmup) throws InterruptedException {
        List<byte[]> bodies = new ArrayList<>(puts);
        for (int p = 0; p < puts; p++) {
            bodies.add(body(senders.get(p % senders.size()), devices, p, p / senders.size(), warmup));
        }
        AtomicLongArray sentAt = new AtomicLongArray(puts);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        String prefix = (warmup ? "w" : "m") + Long.toString(System.nanoTime(), 36);
        for (int s = 0; s < senders.size(); s++) {
            int sender = s;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int p = sender; p < puts; p += senders.size()) {
                    long begin = System.nanoTime();
                    sentAt.set(p, begin);
                    Http1Connection.Response r = http.exchange("PUT", HttpPool.V3 + "/sendToDevice/m.room.encrypted/"
                            + prefix + "-" + p, senders.get(sender).token, bodies.get(p));
                    if (r.status() != 200) {
                        throw new IllegalStateException("sendToDevice -> " + r.status() + " "
                                + new String(r.body(), StandardCharsets.UTF_8));
                    }
                    latencies.add((System.nanoTime() - begin) / 1e6);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!warmup) {
            report.result("phase3.sendToDevice_request", Latencies.of(latencies).toString(),
                    "(A's answer to one PUT of " + devices.size() + " messages)");
        }
        return sentAt;
    }

    /** One request's body: a message for every device, {@code round} being its sender's count of requests. */
    private byte[] body(Device sender, List<Device> devices, int put, int round, boolean warmup) {
        ObjectNode body = HttpPool.JSON.createObjectNode();
        ObjectNode messages = body.putObject("messages");
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            ObjectNode content = HttpPool.JSON.createObjectNode().put("algorithm", Device.OLM)
                    .put("sender_key", sender.curve25519);
            content.putObject("ciphertext").putObject(d.curve25519).put("type", 0).put("body", ciphertext());
            content.putObject("bench").put("id", (warmup ? "w" : "m") + put + "/" + i).put("put", put)
                    .put("round", round).put("warmup", warmup);
            ObjectNode byDevice = messages.has(d.userId) ? (ObjectNode) messages.get(d.userId)
                    : messages.putObject(d.userId);
            byDevice.set(d.deviceId, content);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String ciphertext() {
        String b64 = UnpaddedBase64.encode(Device.randomBytes(options.ciphertextChars() * 3 / 4 + 3));
        return b64.substring(0, options.ciphertextChars());
    }

    /** Waits until {@code counter} reaches {@code expected} (bounded by the timeout); whether it did. */
    private boolean awaitCount(AtomicInteger counter, int expected, List<DeviceInbox> inboxes)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeout());
        while (counter.get() < expected && System.nanoTime() < deadline) {
            for (DeviceInbox inbox : inboxes) {
                if (inbox.failure() != null) {
                    throw new IllegalStateException(inbox.device.deviceId + ": " + inbox.failure());
                }
            }
            Thread.sleep(5);
        }
        return counter.get() >= expected;
    }

    private void verify(List<DeviceInbox> inboxes, List<Device> senders, int puts, AtomicLongArray sentAt, long start,
                        double acked, boolean complete) {
        Map<String, Integer> senderIndex = new HashMap<>();
        for (int s = 0; s < senders.size(); s++) {
            senderIndex.put(senders.get(s).userId, s);
        }
        int received = 0;
        int twice = 0;
        int lost = 0;
        int outOfOrder = 0;
        int wrong = 0;
        long last = start;
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < inboxes.size(); i++) {
            Set<String> seen = new HashSet<>();
            Map<String, Integer> lastRound = new HashMap<>();
            for (DeviceInbox.Arrival a : inboxes.get(i).measured()) {
                received++;
                if (!seen.add(a.id())) {
                    twice++;
                    continue;
                }
                Integer s = senderIndex.get(a.sender());
                if (s == null || !"m.room.encrypted".equals(a.type()) || a.put() % senders.size() != s
                        || !a.id().equals("m" + a.put() + "/" + i)) {
                    wrong++;
                }
                Integer before = lastRound.put(a.sender(), a.round());
                if (before != null && before >= a.round()) {
                    outOfOrder++;
                }
                last = Math.max(last, a.nanos());
                latencies.add((a.nanos() - sentAt.get(a.put())) / 1e6);
            }
            lost += puts - seen.size();
        }
        double seconds = (last - start) / 1e9;
        report.result("phase3.all_delivered", String.format("%.2f s from the first request until the last of %d "
                        + "messages showed in B's /sync (%.0f messages/s); every request answered after %.2f s",
                seconds, received - twice, (received - twice) / seconds, acked), complete ? "" : "[INCOMPLETE]");
        report.result("phase3.message_latency", Latencies.of(latencies).toString(),
                "(from its request's start on A to B's /sync)");
        boolean exact = twice == 0 && lost == 0 && outOfOrder == 0 && wrong == 0;
        report.result("phase3.exactly_once_in_order", String.format("%d of %d received; %d lost, %d twice, %d out of "
                        + "order, %d with a wrong sender/type/id", received - twice, puts * inboxes.size(), lost, twice,
                outOfOrder, wrong), exact ? "[met]" : "[MISSED]");
    }
}
