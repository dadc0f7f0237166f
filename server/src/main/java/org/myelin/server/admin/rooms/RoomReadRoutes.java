package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.rooms.RoomEventFilter;
import org.myelin.server.client.rooms.TimelineToken;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.ForgottenRoomRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomRepository;

/**
 * Reading rooms as an admin, whether or not the admin is in them (Synapse's admin API, "List Room
 * API", "Room Details API", "Room Members API", "Room State API", "Room Messages API", "Forward
 * Extremities Admin API"). The list is built from every room's current state and sorted here: fine
 * for the rooms of an organisation, not meant for a server of millions.
 */
public final class RoomReadRoutes implements Routes {

    private static final String ROOM = "/_synapse/admin/v1/rooms/:roomId";

    record RoomList(List<RoomDescription> rooms, long offset, long totalRooms, Long nextBatch, Long prevBatch) {}

    record Members(List<String> members, int total) {}

    record State(List<ObjectNode> state) {}

    record Messages(List<ObjectNode> chunk, String start, String end, List<ObjectNode> state) {}

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Extremity(String eventId, Long stateGroup, long depth, long receivedTs) {}

    record Extremities(int count, List<Extremity> results) {}

    /** What reading needs. */
    public record Parts(AdminAuth auth, RoomDescriber describer, RoomRepository rooms, RoomHeads heads,
                        EventCache events, MembershipRepository memberships, ForgottenRoomRepository forgotten,
                        AccountRepository accounts, TimelineRepository timeline, ClientEvents clientEvents) {
    }

    private final Parts p;

    RoomReadRoutes(Parts parts) {
        this.p = parts;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_synapse/admin/v1/rooms").handler(handlers.blocking(this::list));
        router.get(ROOM).handler(handlers.blocking(this::details));
        router.get(ROOM + "/members").handler(handlers.blocking(this::members));
        router.get(ROOM + "/state").handler(handlers.blocking(this::state));
        router.get(ROOM + "/messages").handler(handlers.blocking(this::messages));
        router.get(ROOM + "/forward_extremities").handler(handlers.blocking(this::extremities));
    }

    /**
     * {@code GET /_synapse/admin/v1/rooms}: {@code from}, {@code limit}, {@code order_by},
     * {@code dir}, {@code search_term} (in the name, the canonical alias or the room id),
     * {@code public_rooms}, {@code empty_rooms}.
     */
    JsonResponse list(RoutingContext ctx) {
        p.auth().requireAdmin(ctx);
        long from = AdminParams.nonNegative(ctx, "from", 0);
        int limit = AdminParams.limit(ctx, 100);
        String order = AdminParams.oneOf(ctx, "order_by", "name", RoomOrder.NAMES);
        String term = ctx.request().getParam("search_term");
        if (term != null && term.isEmpty()) {
            throw MatrixException.invalidParam("search_term cannot be an empty string");
        }
        Boolean publicRooms = AdminParams.bool(ctx, "public_rooms");
        Boolean emptyRooms = AdminParams.bool(ctx, "empty_rooms");
        boolean backwards = AdminParams.backwards(ctx);
        List<RoomFacts> matching = new ArrayList<>();
        for (String roomId : p.rooms().roomsWithState()) {
            p.describer().describe(roomId)
                    .filter(f -> term == null || matches(f, term))
                    .filter(f -> publicRooms == null || f.isPublic() == publicRooms)
                    .filter(f -> emptyRooms == null || f.joinedMembers().isEmpty() == emptyRooms)
                    .ifPresent(matching::add);
        }
        matching.sort(RoomOrder.of(order, backwards));
        long total = matching.size();
        List<RoomDescription> page = matching.stream().skip(from).limit(limit).map(RoomDescription::of).toList();
        Long next = from + limit < total ? from + limit : null;
        Long prev = from > 0 ? Math.max(0, from - limit) : null;
        return JsonResponse.ok(new RoomList(page, from, total, next, prev));
    }

    private static boolean matches(RoomFacts f, String term) {
        String lower = term.toLowerCase(Locale.ROOT);
        return f.name() != null && f.name().toLowerCase(Locale.ROOT).contains(lower)
                || f.canonicalAlias() != null && f.canonicalAlias().toLowerCase(Locale.ROOT).contains(lower)
                || f.roomId().contains(term);
    }

    /** {@code GET /_synapse/admin/v1/rooms/{roomId}}: 404 for a room this server has no state of. */
    JsonResponse details(RoutingContext ctx) {
        p.auth().requireAdmin(ctx);
        RoomFacts facts = facts(ctx);
        int devices = 0;
        for (String user : facts.joinedLocalMembers()) {
            devices += p.accounts().devices(user).size();
        }
        return JsonResponse.ok(RoomDetails.of(facts, devices, forgotten(facts.roomId())));
    }

    /** Whether every local user with a membership in the room has forgotten it (Synapse's {@code forgotten}). */
    private boolean forgotten(String roomId) {
        for (String membership : List.of("join", "invite", "knock", "leave", "ban")) {
            for (MembershipRepository.Membership m : p.memberships().members(roomId, membership)) {
                if (p.describer().isLocal(m.userId()) && !p.forgotten().isForgotten(m.userId(), roomId)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code GET /_synapse/admin/v1/rooms/{roomId}/members}: the joined members. */
    JsonResponse members(RoutingContext ctx) {
        p.auth().requireAdmin(ctx);
        List<String> members = facts(ctx).joinedMembers();
        return JsonResponse.ok(new Members(members, members.size()));
    }

    /** {@code GET /_synapse/admin/v1/rooms/{roomId}/state}: the current state, {@code type} filtering it. */
    JsonResponse state(RoutingContext ctx) {
        Requester admin = p.auth().requireAdmin(ctx);
        RoomHead head = head(ctx);
        String type = ctx.request().getParam("type");
        List<Pdu> events = head.currentState().entrySet().stream()
                .filter(e -> type == null || e.getKey().type().equals(type))
                .sorted(Map.Entry.comparingByKey())
                .map(e -> p.events().get(e.getValue())).filter(Objects::nonNull).toList();
        return JsonResponse.ok(new State(p.clientEvents().format(events, admin.userId(), admin.deviceId())));
    }

    /**
     * {@code GET /_synapse/admin/v1/rooms/{roomId}/messages}: as the client API's /messages, every
     * event regardless of history visibility; {@code dir} is {@code f} by default.
     */
    JsonResponse messages(RoutingContext ctx) {
        Requester admin = p.auth().requireAdmin(ctx);
        String roomId = head(ctx).roomId();
        boolean backwards = AdminParams.backwards(ctx);
        String fromParam = ctx.request().getParam("from");
        String toParam = ctx.request().getParam("to");
        TimelineToken from = fromParam == null || fromParam.isEmpty() ? null : TimelineToken.parse(fromParam);
        TimelineToken to = toParam == null || toParam.isEmpty() ? null : TimelineToken.parse(toParam);
        int limit = (int) Math.clamp(AdminParams.nonNegative(ctx, "limit", 10), 1, 1000);
        RoomEventFilter filter = RoomEventFilter.parse(Params.query(ctx, "filter"));
        long start = from != null ? from.position() : backwards ? Long.MAX_VALUE : Long.MIN_VALUE;
        List<StoredEvent> page = p.timeline().page(roomId, start, to == null ? null : to.position(), limit, backwards,
                filter.timeline());
        String end = null;
        if (page.size() == limit) {
            long last = page.getLast().streamOrdering();
            end = (backwards ? TimelineToken.before(last) : TimelineToken.after(last)).toString();
        }
        String startToken = from != null ? from.toString() : new TimelineToken(start).toString();
        List<Pdu> pdus = page.stream().map(StoredEvent::pdu).toList();
        return JsonResponse.ok(new Messages(p.clientEvents().format(pdus, admin.userId(), admin.deviceId()),
                startToken, end, List.of()));
    }

    /** {@code GET /_synapse/admin/v1/rooms/{roomId}/forward_extremities}: the events the next one will follow. */
    JsonResponse extremities(RoutingContext ctx) {
        p.auth().requireAdmin(ctx);
        List<Extremity> results = new ArrayList<>();
        for (String id : head(ctx).forwardExtremities()) {
            Pdu event = p.events().get(id);
            if (event != null) {
                // No state group numbers here (state is kept as snapshots); receipt time is not kept either.
                results.add(new Extremity(id, null, event.depth(), event.originServerTs()));
            }
        }
        results.sort(Comparator.comparing(Extremity::eventId));
        return JsonResponse.ok(new Extremities(results.size(), results));
    }

    private RoomHead head(RoutingContext ctx) {
        String roomId = Params.roomId(ctx, "roomId");
        return p.heads().get(roomId).orElseThrow(() -> MatrixException.notFound("Room not found"));
    }

    private RoomFacts facts(RoutingContext ctx) {
        String roomId = Params.roomId(ctx, "roomId");
        return p.describer().describe(roomId).orElseThrow(() -> MatrixException.notFound("Room not found"));
    }
}
