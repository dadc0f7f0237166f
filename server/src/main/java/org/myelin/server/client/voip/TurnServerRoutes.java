package org.myelin.server.client.voip;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /_matrix/client/v3/voip/turnServer} (client-server API, "Voice over IP"): the TURN
 * servers a client may relay a call through, with credentials. With a shared secret they follow
 * the TURN REST API that coturn's {@code use-auth-secret} checks: the username is the expiry (Unix
 * seconds) and the user id, the password the base64 HMAC-SHA1 of the username under the secret.
 * With no TURN server configured the answer is an empty object, as Synapse's, which clients take
 * as "none".
 */
public final class TurnServerRoutes implements Routes {

    /** The answer: {@code ttl} in seconds. */
    record TurnServer(String username, String password, List<String> uris, long ttl) {}

    private final Authenticator authenticator;
    private final HomeserverConfig.Voip voip;
    private final Clock clock;

    public TurnServerRoutes(Authenticator authenticator, HomeserverConfig.Voip voip, Clock clock) {
        this.authenticator = authenticator;
        this.voip = voip;
        this.clock = clock;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/voip/turnServer").handler(handlers.blocking(this::turnServer));
    }

    JsonResponse turnServer(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        if (voip.turnUris().isEmpty() || (requester.isGuest() && !voip.turnAllowGuests())) {
            return JsonResponse.ok(Map.of());
        }
        long ttlSeconds = voip.turnUserLifetimeMs() / 1000;
        if (voip.turnSharedSecret() != null) {
            String username = (clock.millis() + voip.turnUserLifetimeMs()) / 1000 + ":" + requester.userId();
            return JsonResponse.ok(new TurnServer(username, hmacSha1(voip.turnSharedSecret(), username),
                    voip.turnUris(), ttlSeconds));
        }
        if (voip.turnUsername() != null) {
            return JsonResponse.ok(new TurnServer(voip.turnUsername(), voip.turnPassword(), voip.turnUris(),
                    ttlSeconds));
        }
        return JsonResponse.ok(Map.of());
    }

    static String hmacSha1(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is in every JDK", e);
        }
    }
}
