package org.myelin.server.client.directory;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;

/** The published room directory (client-server API, "Published room directory"). */
public final class RoomDirectoryRoutes implements Routes {

    private static final String LIST = "/_matrix/client/v3/directory/list/room/:roomId";

    record VisibilityBody(String visibility) {
        VisibilityBody {
            if (visibility == null) {
                visibility = "public"; // Synapse's default when the key is absent
            }
            if (!visibility.equals("public") && !visibility.equals("private")) {
                throw MatrixException.invalidParam("visibility must be 'public' or 'private'");
            }
        }
    }

    /** The {@code filter} of {@code POST /publicRooms}. */
    record Filter(String genericSearchTerm, List<String> roomTypes) {
    }

    /** The body of {@code POST /publicRooms}. */
    record QueryBody(Integer limit, String since, Filter filter, Boolean includeAllNetworks,
                     @JsonProperty("third_party_instance_id") String thirdPartyInstanceId) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;

    public RoomDirectoryRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(LIST).handler(handlers.blocking(this::getVisibility));
        router.put(LIST).handler(handlers.blocking(this::putVisibility));
        router.get("/_matrix/client/v3/publicRooms").handler(handlers.blocking(this::listPublicRooms));
        router.post("/_matrix/client/v3/publicRooms").handler(handlers.blocking(this::queryPublicRooms));
    }

    /** {@code GET /_matrix/client/v3/directory/list/room/{roomId}} (client-server API, "Published room directory"); no auth. */
    JsonResponse getVisibility(RoutingContext ctx) {
        return JsonResponse.ok(new VisibilityBody(rooms.publicRooms.visibility(Params.roomId(ctx, "roomId"))));
    }

    /** {@code PUT /_matrix/client/v3/directory/list/room/{roomId}} (client-server API, "Published room directory"). */
    JsonResponse putVisibility(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        VisibilityBody body = Json.bind(ctx, VisibilityBody.class);
        rooms.publicRooms.setVisibility(requester, Params.roomId(ctx, "roomId"), body.visibility());
        return JsonResponse.empty();
    }

    /**
     * {@code GET /_matrix/client/v3/publicRooms} (client-server API, "Published room directory"):
     * {@code limit}, {@code since}, {@code server}; no auth.
     */
    JsonResponse listPublicRooms(RoutingContext ctx) {
        return JsonResponse.ok(rooms.publicRooms.list(Params.query(ctx, "server"),
                new PublicRoomsQuery(Params.queryInt(ctx, "limit"), Params.query(ctx, "since"), null, null)));
    }

    /**
     * {@code POST /_matrix/client/v3/publicRooms} (client-server API, "Published room directory"):
     * paging, {@code filter} ({@code generic_search_term}, {@code room_types}) and the networks of
     * application services ({@code third_party_instance_id}, {@code include_all_networks}).
     */
    JsonResponse queryPublicRooms(RoutingContext ctx) {
        auth.require(ctx, true);
        QueryBody body = Json.bind(ctx, QueryBody.class);
        Filter filter = body.filter() == null ? new Filter(null, null) : body.filter();
        return JsonResponse.ok(rooms.publicRooms.list(Params.query(ctx, "server"),
                new PublicRoomsQuery(body.limit(), body.since(), filter.genericSearchTerm(), filter.roomTypes()),
                body.thirdPartyInstanceId(), Boolean.TRUE.equals(body.includeAllNetworks())));
    }
}
