package org.myelin.bench.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jdk.jfr.Recording;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.testing.TestDatabases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phase 2, inbound PDUs with signature checking: a fake remote server joins rooms on Myelin A
 * through make_join/send_join, then sends forged, correctly hashed and signed PDUs in transactions
 * of 50 ({@code PUT /_matrix/federation/v1/send/{txnId}}), one sender per room, all rooms in
 * parallel: messages into {@code rooms} rooms, and {@code members} joins of distinct users into
 * one more room (which phase 3 joins). Every PDU is signed ahead of time, so the load generator
 * only sends. Throughput is counted while every room is still sending; every PDU's result in
 * the answers must be {@code {}}.
 */
final class InboundPhase {

    static final int PDUS_PER_TRANSACTION = 50;
    static final int TAIL_TRANSACTIONS = 2;

    /**
     * What phase 3 needs: A with its 10,000-member room, and the fake server (B fetches its key);
     * the alias of the smaller room B joins first, null if none.
     */
    record Populated(TestHomeserver a, FakeRemoteServer fake, FederationRequestLog logA, ClientApi alice,
                     String roomId, String alias, String warmupAlias) implements AutoCloseable {
        @Override
        public void close() {
            alice.close();
            fake.close();
            a.close();
        }
    }

    /** One room's pre-signed PDUs and what became of them. */
    private static final class Stream {
        final String name;
        final List<ObjectNode> pdus = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong windowAccepted = new AtomicLong();
        volatile long finishedNanos;
        /** The next PDU to send; touched by one thread at a time. */
        int sent;

        Stream(String name) {
            this.name = name;
        }

        /** Where the timed run stops: the last transactions are held back for the statement count. */
        int timedEnd() {
            return Math.max(0, pdus.size() - TAIL_TRANSACTIONS * PDUS_PER_TRANSACTION);
        }

        void add(Pdu pdu) {
            pdus.add(pdu.json());
            ids.add(pdu.eventId());
        }
    }

    private final Options options;
    private final Report report;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong missing = new AtomicLong();
    private final Set<String> errors = ConcurrentHashMap.newKeySet();

    InboundPhase(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    Populated run() throws Exception {
        FederationRequestLog logA = new FederationRequestLog();
        TestHomeserver a = BenchServers.boot(options.pool(), logA);
        FakeRemoteServer fake = FakeRemoteServer.start();
        ClientApi alice = null;
        try {
            alice = ClientApi.register(BenchServers.clientBase(a), "alice");
            String membersRoom = alice.createPublicRoom("members");
            List<Stream> streams = prepare(a, fake, alice, membersRoom);
            send(a, fake, streams);
            report.result("phase2.members_room", alice.joinedMemberCount(membersRoom) + " joined members on A", "");
            report.result("phase2.A_storage", storage(a), "(A's database after phase 2)");
            String warmupAlias = warmupRoom(a, fake, alice);
            report.info("A's federation listener during phase 2: %s", logA.drain());
            return new Populated(a, fake, logA, alice, membersRoom, "#members:" + a.serverName(), warmupAlias);
        } catch (Exception | Error e) {
            if (alice != null) {
                alice.close();
            }
            fake.close();
            a.close();
            throw e;
        }
    }

    /**
     * After the measurement: a second members room, of {@code warmupMembers} members, for phase 3's
     * B to join before the timed join. Null if none.
     */
    private String warmupRoom(TestHomeserver a, FakeRemoteServer fake, ClientApi alice) {
        if (options.warmupMembers() <= 0) {
            return null;
        }
        String roomId = alice.createPublicRoom("warmup");
        ForgedRoom room = ForgedRoom.join(fake, a, roomId, fake.user("warmup-host"));
        Stream joins = new Stream("warmup");
        for (int i = 0; i < options.warmupMembers(); i++) {
            joins.add(room.join(fake.user("w" + i)));
        }
        while (joins.sent < joins.pdus.size()) {
            next(a, fake, joins, joins.pdus.size());
        }
        report.info("phase 2: warm-up room for phase 3, %d joined members on A", alice.joinedMemberCount(roomId));
        return "#warmup:" + a.serverName();
    }

    /** Rows and sizes of A's largest tables: what storing the rooms' state cost. */
    private static String storage(TestHomeserver a) {
        String url = a.homeserver().config().database().url();
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables
                     ORDER BY pg_total_relation_size(relid) DESC LIMIT 4""")) {
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(String.format("%s %,d rows %.0f MB", rs.getString(1), rs.getLong(2), rs.getLong(3) / 1e6));
            }
            return String.join("; ", tables);
        } catch (SQLException e) {
            return "unknown: " + e.getMessage();
        }
    }

    /** The rooms joined through the handshake, and every PDU forged and signed. */
    private List<Stream> prepare(TestHomeserver a, FakeRemoteServer fake, ClientApi alice, String membersRoom) {
        long t0 = System.nanoTime();
        List<Stream> streams = new ArrayList<>();
        ForgedRoom members = ForgedRoom.join(fake, a, membersRoom, fake.user("host"));
        Stream joins = new Stream("joins");
        for (int i = 0; i < options.members(); i++) {
            joins.add(members.join(fake.user("m" + i)));
        }
        if (options.members() > 0) {
            streams.add(joins);
        }
        for (int r = 0; r < options.rooms(); r++) {
            String roomId = alice.createPublicRoom("load" + r);
            String sender = fake.user("sender" + r);
            ForgedRoom room = ForgedRoom.join(fake, a, roomId, sender);
            Stream messages = new Stream("messages" + r);
            for (int i = 0; i < options.messages(); i++) {
                messages.add(room.message(sender, "message " + i + " of a load test, about as long as a chat line"));
            }
            streams.add(messages);
        }
        report.info("phase 2: %d rooms joined by make_join/send_join, %d PDUs forged and signed in %.1f s",
                streams.size(), streams.stream().mapToInt(s -> s.pdus.size()).sum(), (System.nanoTime() - t0) / 1e9);
        return streams;
    }

    /**
     * Sends every room's PDUs but its last {@link #TAIL_TRANSACTIONS} transactions, all rooms in
     * parallel, under a JFR recording; then the tails with every statement logged.
     */
    private void send(TestHomeserver a, FakeRemoteServer fake, List<Stream> streams) throws Exception {
        long start = System.nanoTime();
        Window window = new Window();
        timed(a, fake, streams, window);
        Path rest = window.after == null ? null : Diagnostics.stop(window.after, "myelin-bench-phase2-rest");
        long accepted = streams.stream().mapToLong(s -> s.windowAccepted.get()).sum();
        double rate = accepted / window.usage.seconds();
        report.result("phase2.inbound_pdus_per_s", String.format("%.0f PDUs/s (%d accepted in %.1f s, %d rooms in parallel)",
                rate, accepted, window.usage.seconds(), streams.size()),
                "[target >= 2000: " + (rate >= 2000 ? "met" : "MISSED") + "]");
        report.result("phase2.cpu", window.usage.toString(), "(while every room was sending)");
        report.result("phase2.A_event_persister", window.persister, "(A's one writer thread, sampled every 5 ms, same window)");
        for (Stream s : streams) {
            double secs = (s.finishedNanos - start) / 1e9;
            report.result("phase2.room_" + s.name, String.format("%d of %d accepted in %.1f s = %.0f PDUs/s",
                    s.accepted.get(), s.timedEnd(), secs, s.accepted.get() / secs), "");
        }
        report.info("---- phase 2: where A's CPU went while every room was sending (JFR, %s) ----", window.jfr);
        Diagnostics.myelinProfile(window.jfr, 30).forEach(l -> report.info("%s", l));
        if (rest != null) {
            report.info("---- phase 2: where A's CPU went after that, the rooms still sending (JFR, %s) ----", rest);
            Diagnostics.myelinProfile(rest, 20).forEach(l -> report.info("%s", l));
        }
        tails(a, fake, streams);
        long total = streams.stream().mapToLong(s -> s.accepted.get()).sum();
        long offered = streams.stream().mapToLong(s -> s.pdus.size()).sum();
        report.result("phase2.pdu_results", String.format("%d of %d answered {} ; %d rejected ; %d missing from the answer",
                total, offered, rejected.get(), missing.get()), errors.isEmpty() ? "" : "errors: " + errors);
    }

    /**
     * The measurement window, while every room is sending: the CPU used, the persister's states
     * and a JFR recording; closed by the first room to run out, when a second recording starts.
     */
    private static final class Window {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final CpuWindow cpu = CpuWindow.start(TestDatabases.server().directory());
        private final ThreadStates persisterStates = new ThreadStates("event-persister");
        private final Recording recording;
        volatile CpuWindow.Usage usage;
        volatile String persister;
        volatile Path jfr;
        volatile Recording after;

        Window() throws IOException {
            recording = Diagnostics.startRecording();
        }

        boolean isOpen() {
            return !closed.get();
        }

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            usage = cpu.stop();
            persister = persisterStates.shares();
            persisterStates.close();
            try {
                jfr = Diagnostics.stop(recording, "myelin-bench-phase2-window");
                after = Diagnostics.startRecording();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The timed run, all rooms in parallel; {@code window} closes when the first room runs out. */
    private void timed(TestHomeserver a, FakeRemoteServer fake, List<Stream> streams, Window window)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.inboundSeconds());
        List<Thread> senders = new ArrayList<>();
        for (Stream s : streams) {
            senders.add(Thread.ofVirtual().name("send-" + s.name).start(() -> {
                while (s.sent < s.timedEnd() && System.nanoTime() < deadline) {
                    int ok = next(a, fake, s, s.timedEnd());
                    if (window.isOpen()) {
                        s.windowAccepted.addAndGet(ok);
                    }
                }
                s.finishedNanos = System.nanoTime();
                window.close();
            }));
        }
        for (Thread t : senders) {
            t.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())) + 120_000);
        }
        window.close();
    }

    /** Sends {@code s}'s next transaction (up to PDU {@code end}); how many of its PDUs were accepted. */
    private int next(TestHomeserver a, FakeRemoteServer fake, Stream s, int end) {
        int from = s.sent;
        int to = Math.min(end, from + PDUS_PER_TRANSACTION);
        int ok = transaction(a, fake, s.name + "-" + from, s.pdus.subList(from, to), s.ids.subList(from, to));
        s.sent = to;
        s.accepted.addAndGet(ok);
        return ok;
    }

    /**
     * The held-back transactions, one room at a time (messages, then joins), with every statement
     * of A's PostgreSQL logged: the statements one inbound PDU costs, by kind.
     */
    private void tails(TestHomeserver a, FakeRemoteServer fake, List<Stream> streams) throws Exception {
        int port = TestDatabases.server().port();
        Path log = TestDatabases.server().directory().getParent().resolve("postgres.log");
        for (boolean joins : new boolean[] {false, true}) {
            long from = Diagnostics.size(log);
            Diagnostics.logStatements(port, true);
            int pdus = 0;
            long t0 = System.nanoTime();
            for (Stream s : streams) {
                if (s.name.equals("joins") == joins) {
                    while (s.sent < s.pdus.size()) {
                        int before = s.sent;
                        next(a, fake, s, s.pdus.size());
                        pdus += s.sent - before;
                    }
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            Diagnostics.logStatements(port, false);
            if (pdus == 0) {
                continue;
            }
            Thread.sleep(200);
            var counts = Diagnostics.statements(log, from);
            long statements = counts.values().stream().mapToLong(c -> c[0]).sum();
            String kind = joins ? "join" : "message";
            report.result("phase2.statements_per_" + kind, String.format("%.1f statements per inbound %s PDU (%d PDUs, "
                    + "%d statements, %.0f ms with every statement logged)", statements / (double) Math.max(1, pdus),
                    kind, pdus, statements, ms), "");
            report.info("---- A's statements for %d inbound %s PDUs, by count ----", pdus, kind);
            Diagnostics.top(counts, 20).forEach(l -> report.info("%s", l));
        }
    }

    /** One transaction; the number of its PDUs whose result is {@code {}}. */
    private int transaction(TestHomeserver a, FakeRemoteServer fake, String txnId, List<ObjectNode> pdus,
                            List<String> ids) {
        HttpResponse<String> response;
        try {
            response = fake.request(a, "PUT", "/_matrix/federation/v1/send/" + txnId, fake.transactionOf(pdus, List.of()));
        } catch (RuntimeException e) {
            note("transaction " + txnId + " failed: " + e);
            missing.addAndGet(pdus.size());
            return 0;
        }
        if (response.statusCode() != 200) {
            note("transaction " + txnId + ": " + response.statusCode() + " " + response.body());
            missing.addAndGet(pdus.size());
            return 0;
        }
        JsonNode results;
        try {
            results = ClientApi.JSON.readTree(response.body()).path("pdus");
        } catch (Exception e) {
            note("transaction " + txnId + ": not JSON");
            return 0;
        }
        int ok = 0;
        for (String id : ids) {
            JsonNode result = results.get(id);
            if (result == null) {
                missing.incrementAndGet();
            } else if (result.isObject() && result.isEmpty()) {
                ok++;
            } else {
                rejected.incrementAndGet();
                note(result.toString());
            }
        }
        return ok;
    }

    private void note(String error) {
        if (errors.size() < 5) {
            errors.add(error);
        }
    }
}
