package org.myelin.server.admin;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.account.Registration;
import org.myelin.server.client.auth.Tokens;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Shared-secret registration, compatible with Synapse's admin API and its
 * {@code register_new_matrix_user} tool: fetch a nonce, then post the account with
 * {@code mac = hex(HMAC-SHA1(secret, nonce \0 username \0 password \0 ("admin" | "notadmin")))}.
 * Served only when {@code registration.shared_secret} is set. A nonce works once, within a
 * minute, whether the attempt succeeds or not.
 */
public final class SharedSecretRegistrationRoutes implements Routes {

    static final long NONCE_LIFETIME_MS = 60_000;
    private static final int MAX_FIELD_LENGTH = 512;

    record Nonce(String nonce) {}

    /** The body of {@code POST /_synapse/admin/v1/register}. */
    record RegisterBody(String nonce, String username, String password, Boolean admin, String userType,
                        String displayname, String mac) {}

    record RegisterResponse(String userId, String homeServer, String accessToken, String deviceId) {}

    private final AccountServices services;
    private final String sharedSecret;
    private final Clock clock;
    /** Nonce → when it was issued. */
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();

    /** @param sharedSecret {@code registration.shared_secret}; null disables the endpoints */
    public SharedSecretRegistrationRoutes(AccountServices services, String sharedSecret, Clock clock) {
        this.services = services;
        this.sharedSecret = sharedSecret;
        this.clock = clock;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_synapse/admin/v1/register").handler(handlers.blocking(ctx -> nonce()));
        router.post("/_synapse/admin/v1/register").handler(handlers.blocking(this::register));
    }

    /** {@code GET /_synapse/admin/v1/register} (Synapse admin API, "Shared-Secret Registration"): a fresh nonce. */
    JsonResponse nonce() {
        requireEnabled();
        long now = clock.millis();
        nonces.values().removeIf(issued -> now - issued > NONCE_LIFETIME_MS);
        String nonce = Tokens.randomText(24);
        nonces.put(nonce, now);
        return JsonResponse.ok(new Nonce(nonce));
    }

    /**
     * {@code POST /_synapse/admin/v1/register} (Synapse admin API, "Shared-Secret
     * Registration"): 400 for an unknown or used nonce or a malformed body, 403 "HMAC
     * incorrect", 400 M_USER_IN_USE / M_INVALID_USERNAME as for clients; 200 with the new
     * account's first session.
     */
    JsonResponse register(RoutingContext ctx) {
        requireEnabled();
        RegisterBody body = Json.bind(ctx, RegisterBody.class);
        if (body.nonce() == null) {
            throw MatrixException.badJson("nonce must be specified");
        }
        Long issued = nonces.remove(body.nonce()); // used up even if what follows fails
        if (issued == null || clock.millis() - issued > NONCE_LIFETIME_MS) {
            throw MatrixException.unknownBadRequest("unrecognised nonce");
        }
        String username = field(body.username(), "username");
        String password = field(body.password(), "password");
        if (body.mac() == null) {
            throw MatrixException.badJson("mac must be specified");
        }
        String expected = mac(body.nonce(), username, password, Boolean.TRUE.equals(body.admin()), body.userType());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                body.mac().getBytes(StandardCharsets.US_ASCII))) {
            throw MatrixException.forbidden("HMAC incorrect");
        }
        // TODO(profiles): set body.displayname() as the profile's display name once profiles exist.
        Registration.Registered registered = services.registration.registerByAdmin(username, password,
                Boolean.TRUE.equals(body.admin()));
        return JsonResponse.ok(new RegisterResponse(registered.userId(), services.serverName,
                registered.session().accessToken(), registered.session().deviceId()));
    }

    /** The hex HMAC-SHA1 Synapse expects. */
    String mac(String nonce, String username, String password, boolean admin, String userType) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            hmac.update(nonce.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(username.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(password.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update((admin ? "admin" : "notadmin").getBytes(StandardCharsets.US_ASCII));
            if (userType != null) {
                hmac.update((byte) 0);
                hmac.update(userType.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(hmac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JVM", e);
        }
    }

    private void requireEnabled() {
        if (sharedSecret == null) {
            throw MatrixException.unknownBadRequest("Shared secret registration is not enabled");
        }
    }

    private static String field(String value, String name) {
        if (value == null) {
            throw MatrixException.badJson(name + " must be specified");
        }
        if (value.length() > MAX_FIELD_LENGTH || value.indexOf('\0') >= 0) {
            throw MatrixException.unknownBadRequest("Invalid " + name);
        }
        return value;
    }
}
