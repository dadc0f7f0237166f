package org.myelin.server.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.media.MediaAdmin;
import org.myelin.storage.media.UserMediaRepository;

/**
 * Synapse's admin API for media ("Querying media", "Quarantine media", "Delete local media", and
 * "List media uploaded by a user" of its user admin API). Every endpoint needs the access token
 * of a server admin (403 {@code M_FORBIDDEN} otherwise). Quarantined media is served to nobody:
 * downloads and thumbnails answer 404, here and to other servers.
 */
public final class MediaAdminRoutes implements Routes {

    private static final String V1 = "/_synapse/admin/v1";
    private static final int DEFAULT_LIMIT = 100;

    /** One media in a user's list, with Synapse's keys, nulls included. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record MediaView(String mediaId, String mediaType, Long mediaLength, String uploadName, long createdTs,
                     Long lastAccessTs, String quarantinedBy, boolean safeFromQuarantine) {
        static MediaView of(UserMediaRepository.UserMedia m) {
            return new MediaView(m.mediaId(), m.mediaType(), m.mediaLength(), m.uploadName(), m.createdTs(),
                    m.lastAccessTs(), m.quarantinedBy(), false);
        }
    }

    /** The page; {@code next_token} only when more follow. */
    record MediaPage(List<MediaView> media, long total, Long nextToken) {}

    record Quarantined(int numQuarantined) {}

    record Deleted(List<String> deletedMedia, int total) {}

    private final Authenticator auth;
    private final Predicate<String> isAdmin;
    private final Predicate<String> accountExists;
    private final ServerName serverName;
    private final MediaAdmin admin;

    public MediaAdminRoutes(Authenticator auth, Predicate<String> isAdmin, Predicate<String> accountExists,
                            ServerName serverName, MediaAdmin admin) {
        this.auth = auth;
        this.isAdmin = isAdmin;
        this.accountExists = accountExists;
        this.serverName = serverName;
        this.admin = admin;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(V1 + "/media/quarantine/:serverName/:mediaId").handler(handlers.blocking(this::quarantine));
        router.post(V1 + "/media/unquarantine/:serverName/:mediaId").handler(handlers.blocking(this::unquarantine));
        router.post(V1 + "/room/:roomId/media/quarantine").handler(handlers.blocking(this::quarantineRoom));
        // Synapse's deprecated path of the same.
        router.post(V1 + "/quarantine_media/:roomId").handler(handlers.blocking(this::quarantineRoom));
        router.delete(V1 + "/media/:serverName/:mediaId").handler(handlers.blocking(this::delete));
        router.get(V1 + "/users/:userId/media").handler(handlers.blocking(this::list));
    }

    /**
     * {@code POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}}: this server's media
     * or another's, cached here or not (then it is never fetched while quarantined). {@code {}}.
     */
    JsonResponse quarantine(RoutingContext ctx) {
        UserId requester = requireAdmin(ctx);
        admin.quarantine(mxc(ctx), requester);
        return JsonResponse.ok(Map.of());
    }

    /** {@code POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}}: {@code {}}. */
    JsonResponse unquarantine(RoutingContext ctx) {
        UserId requester = requireAdmin(ctx);
        admin.unquarantine(mxc(ctx), requester);
        return JsonResponse.ok(Map.of());
    }

    /**
     * {@code POST /_synapse/admin/v1/room/{roomId}/media/quarantine}: every media the room's events
     * name (files, images and their thumbnails, room and member avatars), local and remote;
     * {@code num_quarantined}: how many.
     */
    JsonResponse quarantineRoom(RoutingContext ctx) {
        UserId requester = requireAdmin(ctx);
        String roomId = ctx.pathParam("roomId");
        if (!RoomId.isValid(roomId)) {
            throw MatrixException.invalidParam("Invalid room id: " + roomId);
        }
        return JsonResponse.ok(new Quarantined(admin.quarantineRoom(RoomId.parse(roomId), requester)));
    }

    /**
     * {@code DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}}: this server's media, its
     * thumbnails and its file (unless other media has the same content); 400 for another server's
     * media, 404 for unknown media.
     */
    JsonResponse delete(RoutingContext ctx) {
        requireAdmin(ctx);
        MxcUri mxc = mxc(ctx);
        if (!mxc.server().equals(serverName)) {
            throw MatrixException.unknownBadRequest("Can only delete local media");
        }
        if (!admin.delete(mxc.mediaId())) {
            throw MatrixException.notFound("Unknown media");
        }
        return JsonResponse.ok(new Deleted(List.of(mxc.mediaId().value()), 1));
    }

    /**
     * {@code GET /_synapse/admin/v1/users/{userId}/media?from=&limit=&order_by=&dir=}: a local
     * user's media, newest first unless {@code order_by} or {@code dir} says otherwise.
     */
    JsonResponse list(RoutingContext ctx) {
        requireAdmin(ctx);
        String userId = ctx.pathParam("userId");
        if (!UserId.isValid(userId)) {
            throw MatrixException.invalidParam("Invalid user id: " + userId);
        }
        UserId user = UserId.parse(userId);
        if (!user.server().equals(serverName)) {
            throw MatrixException.unknownBadRequest("Can only look up local users");
        }
        if (!accountExists.test(userId)) {
            throw MatrixException.notFound("Unknown user");
        }
        long from = nonNegative(ctx, "from", 0);
        long limit = nonNegative(ctx, "limit", DEFAULT_LIMIT);
        String orderBy = ctx.request().getParam("order_by");
        String dir = ctx.request().getParam("dir");
        UserMediaRepository.Order order = UserMediaRepository.Order.CREATED_TS;
        boolean forwards = false; // neither given: newest first, as Synapse
        if (orderBy != null || dir != null) {
            order = orderBy == null ? UserMediaRepository.Order.CREATED_TS : order(orderBy);
            forwards = dir == null || direction(dir);
        }
        int pageSize = (int) Math.min(limit, 1_000);
        UserMediaRepository.Page page = admin.page(user, from, pageSize, order, forwards);
        List<MediaView> media = page.media().stream().map(MediaView::of).toList();
        Long next = from + pageSize < page.total() ? from + media.size() : null;
        return JsonResponse.ok(new MediaPage(media, page.total(), next));
    }

    private UserId requireAdmin(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        if (!isAdmin.test(userId)) {
            throw MatrixException.forbidden("You are not a server admin");
        }
        return UserId.parse(userId);
    }

    private static MxcUri mxc(RoutingContext ctx) {
        String server = ctx.pathParam("serverName");
        String mediaId = ctx.pathParam("mediaId");
        if (!ServerName.isValid(server)) {
            throw MatrixException.invalidParam("Invalid server name: " + server);
        }
        if (!MediaId.isValid(mediaId)) {
            throw MatrixException.invalidParam("Invalid media id: " + mediaId);
        }
        return new MxcUri(ServerName.parse(server), MediaId.parse(mediaId));
    }

    /** A query parameter that must be a non-negative integer (Synapse's wording when it is not). */
    private static long nonNegative(RoutingContext ctx, String name, long byDefault) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return byDefault;
        }
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Query parameter " + name + " must be an integer");
        }
        if (number < 0) {
            throw MatrixException.invalidParam("Query parameter " + name
                    + " must be a string representing a positive integer.");
        }
        return number;
    }

    private static UserMediaRepository.Order order(String value) {
        try {
            return UserMediaRepository.Order.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw MatrixException.invalidParam("Query parameter \"order_by\" must be one of media_id, upload_name,"
                    + " created_ts, last_access_ts, media_length, media_type, quarantined_by, safe_from_quarantine");
        }
    }

    private static boolean direction(String value) {
        return switch (value) {
            case "f" -> true;
            case "b" -> false;
            default -> throw MatrixException.invalidParam("Query parameter \"dir\" must be one of f, b");
        };
    }
}
