package org.myelin.server.client.accountdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.BodyLimit;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.nio.charset.StandardCharsets;

/**
 * Room tags (client-server API, "Room Tagging"), kept as the room's {@code m.tag} account data and
 * so delivered by /sync in the room's {@code account_data}.
 */
public final class TagRoutes implements Routes {

    private static final String TAGS = "/_matrix/client/v3/user/:userId/rooms/:roomId/tags";
    /** "The name of a tag MUST NOT exceed 255 bytes." */
    static final int MAX_TAG_BYTES = 255;

    /** The body of {@code GET .../tags}. */
    record TagsResponse(ObjectNode tags) {
    }

    private final AccountData accountData;
    private final Authenticator auth;

    public TagRoutes(AccountData accountData, Authenticator auth) {
        this.accountData = accountData;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(TAGS).handler(handlers.blocking(this::list));
        router.put(TAGS + "/:tag").handler(handlers.blocking(BodyLimit.ACCOUNT_DATA, this::put));
        router.delete(TAGS + "/:tag").handler(handlers.blocking(this::delete));
    }

    /** {@code GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags} (client-server API, "Room Tagging"). */
    JsonResponse list(RoutingContext ctx) {
        String userId = self(ctx);
        return JsonResponse.ok(new TagsResponse(accountData.tags(userId, Params.roomId(ctx, "roomId"))));
    }

    /**
     * {@code PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}} (client-server API,
     * "Room Tagging"): the body is the tag's content; its {@code order}, if any, a number from 0 to 1.
     */
    JsonResponse put(RoutingContext ctx) {
        String userId = self(ctx);
        String roomId = Params.roomId(ctx, "roomId");
        String tag = tag(ctx);
        ObjectNode content = AccountDataRoutes.objectBody(ctx);
        JsonNode order = content.get("order");
        if (order != null) {
            if (!order.isNumber()) {
                throw MatrixException.badJson("'order' must be a number");
            }
            if (order.asDouble() < 0 || order.asDouble() > 1) {
                throw MatrixException.invalidParam("'order' must be between 0 and 1");
            }
        }
        accountData.putTag(userId, roomId, tag, content);
        return JsonResponse.empty();
    }

    /** {@code DELETE /_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}} (client-server API, "Room Tagging"). */
    JsonResponse delete(RoutingContext ctx) {
        String userId = self(ctx);
        accountData.removeTag(userId, Params.roomId(ctx, "roomId"), tag(ctx));
        return JsonResponse.empty();
    }

    private String self(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        if (!requester.userId().equals(Params.path(ctx, "userId"))) {
            throw MatrixException.forbidden("Cannot access the tags of other users.");
        }
        return requester.userId();
    }

    private static String tag(RoutingContext ctx) {
        String tag = Params.path(ctx, "tag");
        if (tag.isEmpty() || tag.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_BYTES) {
            throw MatrixException.invalidParam("A tag name must be 1 to " + MAX_TAG_BYTES + " bytes");
        }
        return tag;
    }
}
