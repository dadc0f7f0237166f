package org.myelin.server.admin.reports;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.reports.ReportRepository;

/**
 * Reports of events users made (client-server API, "Reporting content"), for the server's admins
 * (Synapse's admin API, "Event Reports API"): listed, shown with the reported event, deleted. The
 * room's name and canonical alias are read from its current state here, null when it has none.
 */
public final class EventReportRoutes implements Routes {

    private static final String REPORTS = "/_synapse/admin/v1/event_reports";
    private static final String BAD_ID = "The report_id parameter must be a string representing a positive integer.";

    /** A report as Synapse lists it; {@code user_id} is the reporter, {@code sender} the reported event's. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Listed(long id, long receivedTs, String roomId, String eventId, String userId, Integer score, String reason,
                  String sender, String canonicalAlias, String name) {
    }

    /** A report as Synapse shows one: the listed fields and the event's JSON. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Detail(long id, long receivedTs, String roomId, String eventId, String userId, Integer score, String reason,
                  String sender, String canonicalAlias, String name, JsonNode eventJson) {
    }

    record Page(List<Listed> eventReports, long total, @JsonInclude(JsonInclude.Include.NON_NULL) Long nextToken) {
    }

    private final AdminAuth auth;
    private final ReportRepository reports;
    private final RoomHeads heads;
    private final EventCache events;

    public EventReportRoutes(AdminAuth auth, ReportRepository reports, RoomHeads heads, EventCache events) {
        this.auth = auth;
        this.reports = reports;
        this.heads = heads;
        this.events = events;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(REPORTS).handler(handlers.blocking(this::list));
        router.get(REPORTS + "/:reportId").handler(handlers.blocking(this::show));
        router.delete(REPORTS + "/:reportId").handler(handlers.blocking(this::delete));
    }

    /**
     * {@code GET /_synapse/admin/v1/event_reports}: {@code from}, {@code limit} (100),
     * {@code dir} ({@code b}, the newest first, by default), {@code user_id} and {@code room_id}
     * (substrings of the reporter's and the room's ids), {@code event_sender_user_id};
     * {@code event_reports}, {@code total} and, when more follow, {@code next_token}.
     */
    JsonResponse list(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        long from = AdminParams.nonNegative(ctx, "from", 0);
        int limit = AdminParams.limit(ctx, 100);
        boolean newestFirst = "b".equals(AdminParams.oneOf(ctx, "dir", "b", List.of("f", "b")));
        ReportRepository.EventReportPage page = reports.eventReports(new ReportRepository.EventReportQuery(from, limit,
                newestFirst, ctx.request().getParam("user_id"), ctx.request().getParam("room_id"),
                ctx.request().getParam("event_sender_user_id")));
        List<Listed> listed = page.reports().stream().map(this::listed).toList();
        Long next = from + limit < page.total() ? from + listed.size() : null;
        return JsonResponse.ok(new Page(listed, page.total(), next));
    }

    /** {@code GET /_synapse/admin/v1/event_reports/{reportId}}: 404 if there is none (or its event is gone). */
    JsonResponse show(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        ReportRepository.EventReportDetail detail = reports.eventReport(reportId(ctx))
                .orElseThrow(() -> MatrixException.notFound("Event report not found"));
        Listed l = listed(detail.listed());
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(detail.eventJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return JsonResponse.ok(new Detail(l.id(), l.receivedTs(), l.roomId(), l.eventId(), l.userId(), l.score(),
                l.reason(), l.sender(), l.canonicalAlias(), l.name(), event));
    }

    /** {@code DELETE /_synapse/admin/v1/event_reports/{reportId}}: {@code {}}, or 404 if there is none. */
    JsonResponse delete(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        if (!reports.deleteEventReport(reportId(ctx))) {
            throw MatrixException.notFound("Event report not found");
        }
        return JsonResponse.empty();
    }

    private static long reportId(RoutingContext ctx) {
        try {
            long id = Long.parseLong(ctx.pathParam("reportId"));
            if (id < 0) {
                throw MatrixException.invalidParam(BAD_ID);
            }
            return id;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(BAD_ID);
        }
    }

    private Listed listed(ReportRepository.ListedEventReport listed) {
        ReportRepository.EventReport r = listed.report();
        Map<StateKey, String> state = heads.get(r.roomId()).map(RoomHead::currentState).orElse(Map.of());
        return new Listed(r.id(), r.receivedTs(), r.roomId(), r.eventId(), r.reporter(), r.score(), r.reason(),
                listed.eventSender(), text(state, "m.room.canonical_alias", "alias"), text(state, "m.room.name", "name"));
    }

    private String text(Map<StateKey, String> state, String type, String key) {
        String id = state.get(StateKey.of(type, ""));
        Pdu event = id == null ? null : events.get(id);
        JsonNode value = event == null ? null : event.content().get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
