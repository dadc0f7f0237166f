package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import org.myelin.federation.inbound.TransactionReceiver;
import org.myelin.server.http.BodyLimit;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Receiving transactions of PDUs and EDUs from other servers. */
final class TransactionRoutes implements Routes {

    private final FederationAuth auth;
    private final TransactionReceiver receiver;

    TransactionRoutes(FederationAuth auth, TransactionReceiver receiver) {
        this.auth = auth;
        this.receiver = receiver;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        // A transaction holds up to 50 PDUs and 100 EDUs: the one body larger than an event.
        router.put("/_matrix/federation/v1/send/:txnId").handler(handlers.blocking(BodyLimit.TRANSACTION,
                auth.authenticated((ctx, request) -> send(request.origin(), ctx.pathParam("txnId"), request.content()))));
    }

    /**
     * {@code PUT /_matrix/federation/v1/send/{txnId}} (server-server API, "Transactions"): each PDU
     * is processed on its own; the answer says, per PDU, whether it was accepted.
     */
    JsonResponse send(String origin, String txnId, JsonNode body) {
        return JsonResponse.ok(receiver.receive(origin, txnId, body));
    }
}
