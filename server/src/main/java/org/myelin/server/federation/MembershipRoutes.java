package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.federation.membership.InviteReceiver;
import org.myelin.federation.membership.MembershipHandshake;
import org.myelin.federation.membership.MembershipTemplates;
import org.myelin.server.http.BodyLimit;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.List;

/**
 * Membership over federation (server-server API, "Joining Rooms", "Knocking upon a room",
 * "Inviting to a room", "Leaving Rooms (Rejecting Invites)"): the {@code make_*} and
 * {@code send_*} halves of the join, knock and leave handshakes, and invites of our users.
 * Every request is authenticated (X-Matrix); the room's server ACL is checked by the handlers.
 * The v1 {@code send_join}, {@code send_leave} and {@code invite} that older servers still call
 * are served too; their answers are the v2 ones wrapped as {@code [200, {...}]}, a historical
 * quirk of the v1 API.
 */
final class MembershipRoutes implements Routes {

    private static final String V1 = "/_matrix/federation/v1";
    private static final String V2 = "/_matrix/federation/v2";

    private final FederationAuth auth;
    private final MembershipTemplates templates;
    private final MembershipHandshake handshake;
    private final InviteReceiver invites;

    MembershipRoutes(FederationAuth auth, MembershipTemplates templates, MembershipHandshake handshake,
                     InviteReceiver invites) {
        this.auth = auth;
        this.templates = templates;
        this.handshake = handshake;
        this.invites = invites;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(V1 + "/make_join/:roomId/:userId").handler(handlers.blocking(auth.authenticated(this::makeJoin)));
        router.put(V2 + "/send_join/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(this::sendJoin)));
        router.put(V1 + "/send_join/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> v1(sendJoin(ctx, r)))));
        router.get(V1 + "/make_knock/:roomId/:userId").handler(handlers.blocking(auth.authenticated(this::makeKnock)));
        router.put(V1 + "/send_knock/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(this::sendKnock)));
        router.get(V1 + "/make_leave/:roomId/:userId").handler(handlers.blocking(auth.authenticated(this::makeLeave)));
        router.put(V2 + "/send_leave/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(this::sendLeave)));
        router.put(V1 + "/send_leave/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> v1(sendLeave(ctx, r)))));
        router.put(V2 + "/invite/:roomId/:eventId").handler(handlers.blocking(BodyLimit.INVITE,
                auth.authenticated(this::invite)));
        router.put(V1 + "/invite/:roomId/:eventId").handler(handlers.blocking(BodyLimit.INVITE,
                auth.authenticated(this::inviteV1)));
    }

    /** {@code GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=…} ("Joining Rooms"). */
    JsonResponse makeJoin(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(templates.makeJoin(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("userId"),
                versions(ctx)));
    }

    /**
     * {@code PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}} ("Joining Rooms"); v1
     * answers the same, wrapped.
     */
    JsonResponse sendJoin(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(handshake.sendJoin(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId"),
                r.content()));
    }

    /** {@code GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver=…} ("Knocking upon a room"). */
    JsonResponse makeKnock(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(templates.makeKnock(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("userId"),
                versions(ctx)));
    }

    /** {@code PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId}} ("Knocking upon a room"). */
    JsonResponse sendKnock(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(handshake.sendKnock(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId"),
                r.content()));
    }

    /** {@code GET /_matrix/federation/v1/make_leave/{roomId}/{userId}} ("Leaving Rooms (Rejecting Invites)"). */
    JsonResponse makeLeave(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(templates.makeLeave(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("userId")));
    }

    /** {@code PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId}}: answered with {@code {}} (v1: wrapped). */
    JsonResponse sendLeave(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        handshake.sendLeave(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId"), r.content());
        return JsonResponse.empty();
    }

    /** {@code PUT /_matrix/federation/v2/invite/{roomId}/{eventId}} ("Inviting to a room"). */
    JsonResponse invite(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(invites.invite(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId"),
                r.content()));
    }

    /**
     * {@code PUT /_matrix/federation/v1/invite/{roomId}/{eventId}} ("Inviting to a room", v1): the
     * body is the event itself; answered with {@code [200, {"event": …}]}.
     */
    JsonResponse inviteV1(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return v1(JsonResponse.ok(invites.inviteV1(r.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId"),
                r.content())));
    }

    /** A v1 answer: {@code [200, body]} (server-server API, the v1 membership endpoints). */
    private static JsonResponse v1(JsonResponse answer) {
        return JsonResponse.ok(List.of(answer.status(), answer.body()));
    }

    /** The {@code ver} query parameters: the room versions the asking server supports. */
    private static List<String> versions(RoutingContext ctx) {
        return ctx.queryParam("ver");
    }
}
