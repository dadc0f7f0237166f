package org.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.config.ServerNames;
import org.myelin.server.http.Json;
import org.myelin.server.tls.SelfSignedCertificate;
import org.myelin.server.tls.TlsFiles;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * An identity server on loopback for tests, in the manner of Sydent: HTTPS (self-signed) on
 * 127.0.0.1, its own Ed25519 key, {@code hash_details}, {@code lookup} (SHA-256 with a pepper),
 * {@code store-invite} and {@code pubkey/isvalid}. Binding an address ({@link #bind}) that has
 * pending invites signs a {@code signed} block for each, as a real one does, and posts them to the
 * homeserver's {@code /_matrix/federation/v1/3pid/onbind}.
 */
public final class TestIdentityServer implements AutoCloseable {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String PEPPER = "matrixrocks";
    private static final String V2 = "/_matrix/identity/v2";
    public static final String ACCESS_TOKEN = "id-access-token";

    /** An invite stored by {@code store-invite}. */
    public record StoredInvite(String token, String medium, String address, String roomId, String sender,
                               ObjectNode request) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String name;
    private final SigningKey key;
    private final HttpClient https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
            .sslContext(new InsecureTls().context()).build();
    /** user id by "address medium". */
    private final Map<String, String> bindings = new ConcurrentHashMap<>();
    private final List<StoredInvite> invites = new CopyOnWriteArrayList<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    private TestIdentityServer() throws Exception {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        this.key = SigningKey.fromSeed("0", seed);
        TlsFiles tls = SelfSignedCertificate.ensure(Files.createTempDirectory("myelin-test-is"),
                ServerNames.parse("127.0.0.1"));
        this.server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(
                        new PemKeyCertOptions().setCertPath(tls.certificate().toString()).setKeyPath(tls.key().toString())))
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        this.name = "127.0.0.1:" + server.actualPort();
    }

    public static TestIdentityServer start() {
        try {
            return new TestIdentityServer();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test identity server", e);
        }
    }

    /** The {@code id_server} a client names: host and port. */
    public String name() {
        return name;
    }

    /** Its Ed25519 public key, in unpadded base64. */
    public String publicKey() {
        return UnpaddedBase64.encode(key.verifyKey().publicKey());
    }

    /** Binds {@code address} to {@code userId} without telling anyone (an address bound before the invite). */
    public void bindQuietly(String medium, String address, String userId) {
        bindings.put(address + " " + medium, userId);
    }

    /** The invites stored so far. */
    public List<StoredInvite> invites() {
        return List.copyOf(invites);
    }

    /** Method and path of each request received, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** {@code pubkey/isvalid} answers {@code valid: false} for this key from now on. */
    public void revoke(String publicKey) {
        revoked.add(publicKey);
    }

    /** {@code pubkey/isvalid} answers {@code valid: true} for this key again. */
    public void unrevoke(String publicKey) {
        revoked.remove(publicKey);
    }

    /**
     * Binds {@code address} to {@code userId} and posts the pending invites for it, each with a
     * {@code signed} block ({@code mxid}, {@code token}, signed by this server), to
     * {@code onbindBase}'s {@code /_matrix/federation/v1/3pid/onbind}; {@code change} may forge
     * the {@code signed} block after signing. Returns the homeserver's answer.
     */
    public HttpResponse<String> bind(String medium, String address, String userId, URI onbindUrl,
                                     UnaryOperator<ObjectNode> change) {
        bindings.put(address + " " + medium, userId);
        ObjectNode body = JSON.objectNode().put("medium", medium).put("address", address).put("mxid", userId);
        var list = body.putArray("invites");
        for (StoredInvite invite : invites) {
            if (invite.medium().equals(medium) && invite.address().equals(address)) {
                ObjectNode signed = sign(userId, invite.token());
                list.addObject().put("medium", medium).put("address", address).put("mxid", userId)
                        .put("room_id", invite.roomId()).put("sender", invite.sender())
                        .set("signed", change.apply(signed));
            }
        }
        try {
            return https.send(HttpRequest.newBuilder(onbindUrl).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("onbind failed", e);
        }
    }

    /**
     * What {@code /_matrix/identity/v2/sign-ed25519} gives a client for a pending invite: the
     * signed block with its inviter, which the client hands to {@code /join} as
     * {@code third_party_signed}.
     */
    public ObjectNode signForJoin(String userId, String sender, String token) {
        ObjectNode signed = JSON.objectNode().put("mxid", userId).put("sender", sender).put("token", token);
        return JsonSigning.sign(signed, name, key);
    }

    /** The signed block it would give for {@code token} and {@code userId}. */
    public ObjectNode sign(String userId, String token) {
        ObjectNode signed = JSON.objectNode().put("mxid", userId).put("token", token);
        return JsonSigning.sign(signed, name, key);
    }

    private void handle(HttpServerRequest request) {
        requests.add(request.method() + " " + request.path());
        request.body().onSuccess(buffer -> {
            try {
                answer(request, buffer.length() == 0 ? null : Json.MAPPER.readTree(buffer.getBytes()));
            } catch (Exception e) {
                reply(request, 500, JSON.objectNode().put("errcode", "M_UNKNOWN").put("error", e.toString()));
            }
        });
    }

    private void answer(HttpServerRequest request, JsonNode body) {
        String path = request.path();
        boolean authorised = ("Bearer " + ACCESS_TOKEN).equals(request.getHeader("Authorization"))
                || ACCESS_TOKEN.equals(request.getParam("access_token"));
        if (path.equals(V2 + "/pubkey/isvalid")) {
            String asked = request.getParam("public_key");
            reply(request, 200, JSON.objectNode().put("valid", publicKey().equals(asked) && !revoked.contains(asked)));
            return;
        }
        if (!authorised) {
            reply(request, 401, JSON.objectNode().put("errcode", "M_UNAUTHORIZED").put("error", "Unauthorized"));
            return;
        }
        switch (path) {
            case V2 + "/hash_details" -> {
                ObjectNode details = JSON.objectNode().put("lookup_pepper", PEPPER);
                details.putArray("algorithms").add("none").add("sha256");
                reply(request, 200, details);
            }
            case V2 + "/lookup" -> {
                ObjectNode mappings = JSON.objectNode();
                boolean hashed = "sha256".equals(body.path("algorithm").asText());
                if (!PEPPER.equals(body.path("pepper").asText())) {
                    reply(request, 400, JSON.objectNode().put("errcode", "M_INVALID_PEPPER").put("error", "pepper"));
                    return;
                }
                bindings.forEach((addressMedium, userId) -> {
                    String value = hashed ? sha256(addressMedium + " " + PEPPER) : addressMedium;
                    body.path("addresses").forEach(a -> {
                        if (a.asText().equals(value)) {
                            mappings.put(value, userId);
                        }
                    });
                });
                reply(request, 200, JSON.objectNode().set("mappings", mappings));
            }
            case V2 + "/store-invite" -> storeInvite(request, (ObjectNode) body);
            default -> reply(request, 404, JSON.objectNode().put("errcode", "M_UNRECOGNIZED").put("error", path));
        }
    }

    private void storeInvite(HttpServerRequest request, ObjectNode body) {
        String medium = body.path("medium").asText();
        String address = body.path("address").asText();
        if (bindings.containsKey(address + " " + medium)) {
            reply(request, 400, JSON.objectNode().put("errcode", "M_THREEPID_IN_USE").put("error", "bound"));
            return;
        }
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        invites.add(new StoredInvite(token, medium, address, body.path("room_id").asText(),
                body.path("sender").asText(), body));
        ObjectNode answer = JSON.objectNode().put("token", token).put("public_key", publicKey())
                .put("display_name", address.replaceAll("@.*", "@…"));
        answer.putArray("public_keys").addObject().put("public_key", publicKey())
                .put("key_validity_url", "https://" + name + V2 + "/pubkey/isvalid");
        reply(request, 200, answer);
    }

    private static void reply(HttpServerRequest request, int status, JsonNode body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body.toString());
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing a test server: nothing to do
        }
    }
}
