package org.myelin.server.client.reports;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.reports.ReportRepository;

import java.time.Clock;
import java.util.function.Predicate;

/**
 * Reporting content (client-server API, "Reporting content"): users report an event, a room or a
 * user to this server's administrators, who read the reports later ({@link ReportRepository}).
 * Nobody else is told. What is checked is what Synapse checks, with the spec's requirement that an
 * event's reporter be joined to its room.
 */
public final class ReportRoutes implements Routes {

    /** The longest reason, in characters: Synapse's bound on user reports, here for all three. */
    static final int MAX_REASON_LENGTH = 1000;
    private static final String V3 = "/_matrix/client/v3";

    /** What the checks read. */
    public record Parts(Authenticator auth, RoomAccess access, RoomTimeline timeline, AccountRepository accounts,
                        Predicate<String> isLocalUser) {
    }

    private final Parts parts;
    private final ReportRepository reports;
    private final Clock clock;

    public ReportRoutes(Parts parts, ReportRepository reports, Clock clock) {
        this.parts = parts;
        this.reports = reports;
        this.clock = clock;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(V3 + "/rooms/:roomId/report/:eventId").handler(handlers.blocking(this::reportEvent));
        router.post(V3 + "/rooms/:roomId/report").handler(handlers.blocking(this::reportRoom));
        router.post(V3 + "/users/:userId/report").handler(handlers.blocking(this::reportUser));
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}}: an optional {@code reason}
     * and, as clients before v1.18 send it, an optional integer {@code score}. 404 M_NOT_FOUND
     * unless the event is in the room, the reporter is joined to it and may see the event (a
     * redacted event cannot be reported, as in Synapse).
     */
    JsonResponse reportEvent(RoutingContext ctx) {
        Requester requester = parts.auth().require(ctx);
        String roomId = Params.roomId(ctx, "roomId");
        String eventId = Params.eventId(ctx, "eventId");
        JsonNode body = object(ctx);
        String reason = reason(body, false);
        Integer score = score(body);
        boolean joined = parts.access().membership(roomId, requester.userId())
                .map(m -> m.membership().equals("join")).orElse(false);
        JsonNode event = joined ? parts.timeline().event(requester, roomId, eventId) : null;
        if (event == null || event.path("unsigned").has("redacted_because")) {
            throw MatrixException.notFound("Unable to report event: it does not exist or you aren't able to see it.");
        }
        reports.addEventReport(requester.userId(), roomId, eventId, reason, score, clock.millis());
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/report}: a required {@code reason} (possibly
     * blank); the reporter need not be in the room. 404 M_NOT_FOUND for a room this server does not
     * know.
     */
    JsonResponse reportRoom(RoutingContext ctx) {
        Requester requester = parts.auth().require(ctx);
        String roomId = Params.roomId(ctx, "roomId");
        String reason = reason(object(ctx), true);
        parts.access().head(roomId);
        reports.addRoomReport(requester.userId(), roomId, reason, clock.millis());
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/users/{userId}/report}: a required {@code reason}. As Synapse,
     * 200 whoever the user is, so that the answer does not tell whether they exist; only reports of
     * this server's existing users are kept, the only ones its administrators can act on.
     */
    JsonResponse reportUser(RoutingContext ctx) {
        Requester requester = parts.auth().require(ctx);
        String target = Params.path(ctx, "userId");
        if (!UserId.isValid(target)) {
            throw MatrixException.invalidParam("Invalid user id: " + target);
        }
        String reason = reason(object(ctx), true);
        if (parts.isLocalUser().test(target) && parts.accounts().exists(target)) {
            reports.addUserReport(requester.userId(), target, reason, clock.millis());
        }
        return JsonResponse.empty();
    }

    private static JsonNode object(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        return body;
    }

    /** The {@code reason}: a string of at most {@link #MAX_REASON_LENGTH} characters (400 M_BAD_JSON otherwise). */
    private static String reason(JsonNode body, boolean required) {
        JsonNode reason = body.get("reason");
        if (reason == null) {
            if (required) {
                throw MatrixException.missingParam("Missing 'reason'");
            }
            return null;
        }
        if (!reason.isTextual()) {
            throw MatrixException.badJson("Param 'reason' must be a string");
        }
        String text = reason.asText();
        if (text.codePointCount(0, text.length()) > MAX_REASON_LENGTH) {
            throw MatrixException.badJson("Reason must be less than " + MAX_REASON_LENGTH + " characters");
        }
        return text;
    }

    /**
     * The optional {@code score}: an integer (400 M_BAD_JSON otherwise), meant from -100 (most
     * offensive) to 0 but, as in Synapse, kept whatever it is.
     */
    private static Integer score(JsonNode body) {
        JsonNode score = body.get("score");
        if (score == null) {
            return null;
        }
        if (!score.isIntegralNumber() || !score.canConvertToInt()) {
            throw MatrixException.badJson("Param 'score' must be an integer");
        }
        return score.asInt();
    }
}
