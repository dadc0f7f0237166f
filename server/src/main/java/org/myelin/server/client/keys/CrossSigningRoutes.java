package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.UiaOutcome;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Cross-signing keys and signatures (client-server API, "Cross-signing"). */
public final class CrossSigningRoutes implements Routes {

    record SignaturesResponse(Map<String, Map<String, KeyFailure>> failures) {
    }

    private final Authenticator auth;
    private final CrossSigning crossSigning;
    private final SignatureUploads signatures;
    private final UserInteractiveAuth uia;
    private final Function<String, UserInteractiveAuth.Flow> passwordFlow;

    CrossSigningRoutes(Authenticator auth, CrossSigning crossSigning, SignatureUploads signatures,
                       UserInteractiveAuth uia, Function<String, UserInteractiveAuth.Flow> passwordFlow) {
        this.auth = auth;
        this.crossSigning = crossSigning;
        this.signatures = signatures;
        this.uia = uia;
        this.passwordFlow = passwordFlow;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/keys/device_signing/upload").handler(handlers.blocking(this::uploadKeys));
        router.post("/_matrix/client/v3/keys/signatures/upload").handler(handlers.blocking(this::uploadSignatures));
    }

    /**
     * {@code POST /_matrix/client/v3/keys/device_signing/upload} (client-server API,
     * "Cross-signing"): the requester's master, self-signing and user-signing keys. Under
     * user-interactive auth ({@code m.login.password}), except for the first upload (no master key
     * yet) and for keys exactly as stored already (a retry), which the spec lets through.
     */
    JsonResponse uploadKeys(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        ObjectNode body = KeyRequests.body(ctx);
        CrossSigning.Upload upload = crossSigning.check(requester.userId(), body);
        if (crossSigning.unchanged(requester.userId(), upload)) {
            return JsonResponse.empty();
        }
        if (crossSigning.needsAuth(requester.userId(), upload)) {
            UiaOutcome outcome = uia.authenticate("device_signing_upload " + requester.userId(), body.get("auth"),
                    List.of(passwordFlow.apply(requester.userId())));
            if (outcome instanceof UiaOutcome.Challenge challenge) {
                return challenge.response();
            }
            uia.finish(((UiaOutcome.Authenticated) outcome).session());
        }
        crossSigning.store(requester.userId(), upload);
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/keys/signatures/upload} (client-server API, "Cross-signing"):
     * signatures of keys, each checked; those refused are the answer's {@code failures}.
     */
    JsonResponse uploadSignatures(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(new SignaturesResponse(signatures.upload(requester.userId(), KeyRequests.body(ctx))));
    }
}
