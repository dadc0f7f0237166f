package org.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import org.myelin.federation.auth.RequestSigning;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.server.config.ServerNames;
import org.myelin.server.tls.SelfSignedCertificate;
import org.myelin.server.tls.TlsFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A fake homeserver for federation tests, in the manner of Complement's: it has its own signing
 * key and server name ({@code 127.0.0.1:<port>}), serves its keys over HTTPS (self-signed), and
 * can build, forge and sign events and send signed (or forged) requests to a homeserver under
 * test. It records the transactions it receives and answers {@code /event} and
 * {@code /get_missing_events} from the events it was given; it can hold an endpoint's answers
 * until the test releases them ({@link #hold}), as a server that hangs.
 */
public final class FakeRemoteServer implements AutoCloseable {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * An answer given byte for byte (media, say): status, headers and body, sent in chunks without
     * a {@code Content-Length} if {@code chunked}.
     */
    public record RawAnswer(int status, Map<String, String> headers, byte[] body, boolean chunked) {
    }

    /** A transaction received at {@code PUT /send/{txnId}}. */
    public record Transaction(String txnId, ObjectNode body) {
    }

    /**
     * Requests to one endpoint held unanswered until {@link #release}: a server that hangs. The
     * test learns when the first is asked, and whether the requester gave up on one (closed its
     * connection) before the release.
     */
    public static final class Hold {
        private final CountDownLatch asked = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean abandoned;

        /** Waits until a request is held; false if none came within {@code limit} (a guard, not a measurement). */
        public boolean awaitAsked(Duration limit) throws InterruptedException {
            return asked.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Whether a held request's connection was closed by the requester before the release. */
        public boolean abandoned() {
            return abandoned;
        }

        /** Answers the held requests, and those to come, as usual. */
        public void release() {
            released.countDown();
        }

        boolean isReleased() {
            return released.getCount() == 0;
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Path dir;
    private final SigningKey signingKey;
    private final String serverName;
    private final HttpClient http;
    private final List<Transaction> transactions = new CopyOnWriteArrayList<>();
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final Map<String, Pdu> events = new ConcurrentHashMap<>();
    private volatile UnaryOperator<ObjectNode> keyDocument = UnaryOperator.identity();
    private volatile Duration keyValidity = Duration.ofDays(1);
    private final AtomicInteger keyRequests = new AtomicInteger();
    private volatile int sendStatus = 200;
    private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> requestUris = new CopyOnWriteArrayList<>();
    private final Map<String, RawAnswer> rawAnswers = new ConcurrentHashMap<>();
    /** Held endpoints, by the path segment after {@code /_matrix/federation/v1/}. */
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    private FakeRemoteServer(Vertx vertx, Path dir, SigningKey key) throws Exception {
        this.vertx = vertx;
        this.dir = dir;
        this.signingKey = key;
        TlsFiles tls = SelfSignedCertificate.ensure(dir, ServerNames.parse("127.0.0.1"));
        this.server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(
                        new PemKeyCertOptions().setCertPath(tls.certificate().toString()).setKeyPath(tls.key().toString())))
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        this.serverName = "127.0.0.1:" + server.actualPort();
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(new InsecureTls().context()).build();
    }

    /** A fake server with a fresh random key. */
    public static FakeRemoteServer start() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        try {
            return new FakeRemoteServer(Vertx.vertx(), Files.createTempDirectory("myelin-fake-remote"),
                    SigningKey.fromSeed("fake1", seed));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the fake remote server", e);
        }
    }

    public String serverName() {
        return serverName;
    }

    public SigningKey signingKey() {
        return signingKey;
    }

    /** A user id on this server. */
    public String user(String localpart) {
        return "@" + localpart + ":" + serverName;
    }

    // ---- what it serves ----

    /** Changes the key document it publishes (after its own signing), to forge or break it. */
    public void keyDocument(UnaryOperator<ObjectNode> change) {
        this.keyDocument = change;
    }

    /** How long ahead of now the published key document's {@code valid_until_ts} lies (a day unless told). */
    public void keyValidity(Duration validity) {
        this.keyValidity = validity;
    }

    /** How many times its keys were asked for ({@code GET /_matrix/key/v2/server}). */
    public int keyRequests() {
        return keyRequests.get();
    }

    /** The status {@code PUT /send} answers with (200 records and accepts; anything else fails). */
    public void sendStatus(int status) {
        this.sendStatus = status;
    }

    /** Answers requests to {@code path} (the decoded path, no query) with {@code body} (200). */
    public void answer(String path, JsonNode body) {
        answers.put(path, body);
    }

    /** Answers requests to {@code path} (the decoded path, no query) with {@code answer}, byte for byte. */
    public void answerRaw(String path, RawAnswer answer) {
        rawAnswers.put(path, answer);
    }

    /** The request target (path and query, as sent) of every request received, in order. */
    public List<String> requestUris() {
        return requestUris;
    }

    /** The decoded path of every request received, in order. */
    public List<String> requests() {
        return requests;
    }

    /** The transactions received, in order. */
    public List<Transaction> transactions() {
        return transactions;
    }

    /** The id of every {@code PUT /send} received, answered or failed, in order. */
    public List<String> transactionAttempts() {
        return attempts;
    }

    /** The PDUs received in transactions, in order. */
    public List<ObjectNode> receivedPdus() {
        List<ObjectNode> pdus = new ArrayList<>();
        for (Transaction t : transactions) {
            t.body().path("pdus").forEach(p -> pdus.add((ObjectNode) p));
        }
        return pdus;
    }

    /**
     * Holds the answers to {@code /_matrix/federation/v1/{endpoint}/…} ({@code get_missing_events},
     * {@code state_ids}, {@code event}) until the returned hold is released.
     */
    public Hold hold(String endpoint) {
        Hold hold = new Hold();
        holds.put(endpoint, hold);
        return hold;
    }

    /** Makes {@code pdu} available at {@code /event} and {@code /get_missing_events}. */
    public void serve(Pdu pdu) {
        events.put(pdu.eventId(), pdu);
    }

    /** Our signed key document, valid for a day (or as set by {@link #keyValidity}). */
    public ObjectNode keys() {
        ObjectNode doc = JSON.objectNode();
        doc.put("server_name", serverName);
        doc.putObject("verify_keys").putObject(signingKey.keyId()).put("key", signingKey.verifyKey().publicKeyBase64());
        doc.putObject("old_verify_keys");
        doc.put("valid_until_ts", System.currentTimeMillis() + keyValidity.toMillis());
        return JsonSigning.sign(doc, serverName, signingKey);
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            String decoded = java.net.URLDecoder.decode(req.path().replace("+", "%2B"),
                    java.nio.charset.StandardCharsets.UTF_8);
            requests.add(decoded);
            requestUris.add(req.uri());
            RawAnswer raw = rawAnswers.get(decoded);
            if (raw != null) {
                replyRaw(req, raw);
                return;
            }
            if (answers.containsKey(decoded)) {
                reply(req, 200, answers.get(decoded));
                return;
            }
            Hold hold = heldFor(req.path());
            if (hold == null) {
                answer(req, body);
                return;
            }
            hold.asked.countDown();
            req.connection().closeHandler(v -> {
                if (!hold.isReleased()) {
                    hold.abandoned = true;
                }
            });
            Context context = vertx.getOrCreateContext();
            Thread.ofVirtual().start(() -> {
                try {
                    hold.released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                context.runOnContext(v -> answer(req, body));
            });
        });
    }

    private Hold heldFor(String path) {
        String prefix = "/_matrix/federation/v1/";
        if (!path.startsWith(prefix)) {
            return null;
        }
        String rest = path.substring(prefix.length());
        int slash = rest.indexOf('/');
        Hold hold = holds.get(slash < 0 ? rest : rest.substring(0, slash));
        return hold == null || hold.isReleased() ? null : hold;
    }

    private void answer(HttpServerRequest req, Buffer body) {
        String path = req.path();
        try {
            if (path.equals("/_matrix/key/v2/server")) {
                keyRequests.incrementAndGet();
                reply(req, 200, keyDocument.apply(keys()));
            } else if (path.startsWith("/_matrix/federation/v1/send/")) {
                ObjectNode txn = MatrixJson.parseObject(body.getBytes(), MatrixJson.Numbers.LENIENT);
                attempts.add(path.substring("/_matrix/federation/v1/send/".length()));
                if (sendStatus != 200) {
                    reply(req, sendStatus, error("M_UNKNOWN", "failing on purpose"));
                    return;
                }
                transactions.add(new Transaction(path.substring("/_matrix/federation/v1/send/".length()), txn));
                ObjectNode answer = JSON.objectNode();
                ObjectNode pdus = answer.putObject("pdus");
                txn.path("pdus").forEach(p -> pdus.putObject(p.path("event_id").asText("?")));
                reply(req, 200, answer);
            } else if (path.startsWith("/_matrix/federation/v1/event/")) {
                String id = java.net.URLDecoder.decode(path.substring("/_matrix/federation/v1/event/".length()),
                        java.nio.charset.StandardCharsets.UTF_8);
                Pdu pdu = events.get(id);
                if (pdu == null) {
                    reply(req, 404, error("M_NOT_FOUND", "no such event"));
                } else {
                    reply(req, 200, transaction(List.of(pdu)));
                }
            } else if (path.startsWith("/_matrix/federation/v1/get_missing_events/")) {
                ObjectNode request = MatrixJson.parseObject(body.getBytes(), MatrixJson.Numbers.LENIENT);
                ObjectNode answer = JSON.objectNode();
                var found = answer.putArray("events");
                missing(request).forEach(p -> found.add(p.jsonCopy()));
                reply(req, 200, answer);
            } else {
                reply(req, 404, error("M_UNRECOGNIZED", "Unrecognized request"));
            }
        } catch (RuntimeException e) {
            reply(req, 500, error("M_UNKNOWN", e.toString()));
        }
    }

    private List<Pdu> missing(ObjectNode request) {
        Set<String> earliest = new HashSet<>();
        request.path("earliest_events").forEach(e -> earliest.add(e.asText()));
        Set<String> seen = new HashSet<>();
        Deque<String> frontier = new ArrayDeque<>();
        request.path("latest_events").forEach(e -> {
            Pdu p = events.get(e.asText());
            if (p != null) {
                frontier.addAll(p.prevEventIds());
            }
        });
        List<Pdu> found = new ArrayList<>();
        while (!frontier.isEmpty()) {
            String id = frontier.poll();
            if (earliest.contains(id) || !seen.add(id)) {
                continue;
            }
            Pdu p = events.get(id);
            if (p != null) {
                found.add(p);
                frontier.addAll(p.prevEventIds());
            }
        }
        found.sort(java.util.Comparator.comparingLong(Pdu::depth));
        return found;
    }

    private ObjectNode transaction(List<Pdu> pdus) {
        ObjectNode txn = JSON.objectNode();
        txn.put("origin", serverName);
        txn.put("origin_server_ts", System.currentTimeMillis());
        var array = txn.putArray("pdus");
        pdus.forEach(p -> array.add(p.jsonCopy()));
        return txn;
    }

    private static ObjectNode error(String errcode, String message) {
        ObjectNode e = JSON.objectNode();
        e.put("errcode", errcode);
        e.put("error", message);
        return e;
    }

    private static void replyRaw(HttpServerRequest req, RawAnswer answer) {
        var response = req.response().setStatusCode(answer.status());
        answer.headers().forEach(response::putHeader);
        if (!answer.chunked()) {
            response.end(Buffer.buffer(answer.body()));
            return;
        }
        response.setChunked(true);
        int chunk = 16 * 1024;
        for (int at = 0; at < answer.body().length; at += chunk) {
            response.write(Buffer.buffer(java.util.Arrays.copyOfRange(answer.body(), at,
                    Math.min(answer.body().length, at + chunk))));
        }
        response.end();
    }

    private static void reply(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(CanonicalJson.encodeToString(body));
    }

    // ---- events ----

    /** An event of this server's, hashed and signed with its key. */
    public Pdu event(RoomVersion version, String roomId, String sender, String type, String stateKey,
                     ObjectNode content, List<String> prevEvents, List<String> authEvents, long depth) {
        return EventBuilder.in(version, roomId).type(type).stateKey(stateKey).sender(sender).content(content)
                .prevEvents(prevEvents).authEvents(authEvents).depth(depth)
                .originServerTs(System.currentTimeMillis()).build(serverName, signingKey);
    }

    /** {@code event} hashed and signed again by this server (after a change). */
    public Pdu resign(ObjectNode event, RoomVersion version) {
        return Pdu.parse(EventSigning.hashAndSign(stripSignatures(event), version, serverName, signingKey), version);
    }

    /** {@code event} hashed and signed by this server but not parsed: it may break the format on purpose. */
    public ObjectNode sign(ObjectNode event, RoomVersion version) {
        return EventSigning.hashAndSign(stripSignatures(event), version, serverName, signingKey);
    }

    private static ObjectNode stripSignatures(ObjectNode event) {
        ObjectNode copy = event.deepCopy();
        copy.remove("signatures");
        copy.remove("hashes");
        return copy;
    }

    // ---- requests to a homeserver ----

    /** The X-Matrix header this server would send for the request. */
    public String authorization(String method, String uri, String destination, JsonNode content) {
        return RequestSigning.sign(method, uri, serverName, destination, content, signingKey).toString();
    }

    /** A request to {@code hs}'s federation listener signed by this server. */
    public HttpResponse<String> request(TestHomeserver hs, String method, String uri, JsonNode body) {
        return request(hs, method, uri, body, authorization(method, uri, hs.serverName(), body));
    }

    /** A request to {@code hs}'s federation listener with the given Authorization header (null for none). */
    public HttpResponse<String> request(TestHomeserver hs, String method, String uri, JsonNode body,
                                        String authorization) {
        return requestRaw(hs, method, uri, body == null ? null : CanonicalJson.encode(body), authorization);
    }

    /**
     * A request to {@code hs}'s federation listener with a body sent byte for byte (null for none),
     * for JSON that canonical encoding would change or refuse (a float, an unpaired surrogate), and
     * the given Authorization header (null for none).
     */
    public HttpResponse<String> requestRaw(TestHomeserver hs, String method, String uri, byte[] body,
                                           String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hs.federationPort() + uri))
                .timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET of {@code uri} on {@code hs}'s federation listener signed by this server, its body as bytes (media). */
    public HttpResponse<byte[]> getBytes(TestHomeserver hs, String uri) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + hs.federationPort() + uri))
                .timeout(TIMEOUT).GET().header("Authorization", authorization("GET", uri, hs.serverName(), null))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code hs}'s key {@code keyId} as servers of older spec versions (Synapse 1.67 among them)
     * fetch it: {@code GET /_matrix/key/v2/server/{keyId}}; empty unless the answer is a document
     * of {@code hs} that holds the key and is signed with it.
     */
    public Optional<VerifyKey> fetchKeyById(TestHomeserver hs, String keyId) {
        HttpResponse<String> r = request(hs, "GET", "/_matrix/key/v2/server/" + encode(keyId), null, null);
        return r.statusCode() == 200 ? keyIn(parse(r), hs.serverName(), keyId) : Optional.empty();
    }

    /**
     * {@code serverName}'s key {@code keyId} asked of {@code notary} as older servers ask:
     * {@code GET /_matrix/key/v2/query/{serverName}/{keyId}}; empty unless a document in the answer
     * holds the key, is signed with it and is countersigned by the notary with {@code notaryKey}.
     */
    public Optional<VerifyKey> queryKeyById(TestHomeserver notary, VerifyKey notaryKey, String serverName,
                                            String keyId) {
        HttpResponse<String> r = request(notary, "GET", "/_matrix/key/v2/query/" + encode(serverName) + "/"
                + encode(keyId), null, null);
        if (r.statusCode() != 200) {
            return Optional.empty();
        }
        for (JsonNode doc : parse(r).path("server_keys")) {
            Optional<VerifyKey> key = keyIn((ObjectNode) doc, serverName, keyId);
            if (key.isPresent() && JsonSigning.verify((ObjectNode) doc, notary.serverName(), notaryKey)) {
                return key;
            }
        }
        return Optional.empty();
    }

    private static Optional<VerifyKey> keyIn(ObjectNode doc, String serverName, String keyId) {
        JsonNode base64 = doc.path("verify_keys").path(keyId).path("key");
        if (!serverName.equals(doc.path("server_name").asText()) || !base64.isTextual()) {
            return Optional.empty();
        }
        VerifyKey key = VerifyKey.fromBase64(keyId, base64.asText());
        return JsonSigning.verify(doc, serverName, key) ? Optional.of(key) : Optional.empty();
    }

    private static ObjectNode parse(HttpResponse<String> r) {
        return MatrixJson.parseObject(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                MatrixJson.Numbers.LENIENT);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A transaction body from this server holding {@code pdus} (as JSON, possibly forged). */
    public ObjectNode transactionOf(List<ObjectNode> pdus, List<ObjectNode> edus) {
        ObjectNode txn = JSON.objectNode();
        txn.put("origin", serverName);
        txn.put("origin_server_ts", System.currentTimeMillis());
        pdus.forEach(txn.putArray("pdus")::add);
        if (!edus.isEmpty()) {
            edus.forEach(txn.putArray("edus")::add);
        }
        return txn;
    }

    @Override
    public void close() {
        http.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is no test failure
        }
    }
}
