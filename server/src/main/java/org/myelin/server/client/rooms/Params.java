package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.RoomId;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

import java.util.List;

/** Reading path and query parameters and optional bodies of client requests. */
public final class Params {

    private Params() {
    }

    /** A path parameter, URL-decoded. */
    public static String path(RoutingContext ctx, String name) {
        String value = ctx.pathParam(name);
        if (value == null) {
            throw MatrixException.missingParam("Missing path parameter " + name);
        }
        return value;
    }

    /** A room id path parameter; 400 M_INVALID_PARAM if it is not one. */
    public static String roomId(RoutingContext ctx, String name) {
        String roomId = path(ctx, name);
        if (!RoomId.isValid(roomId)) {
            throw MatrixException.invalidParam("Invalid room id: " + roomId);
        }
        return roomId;
    }

    /**
     * An event id path parameter; 400 M_INVALID_PARAM without the {@code $} sigil. Otherwise
     * malformed ids pass: they name no stored event, so lookups answer 404 as for any unknown id.
     */
    public static String eventId(RoutingContext ctx, String name) {
        String eventId = path(ctx, name);
        if (!eventId.startsWith("$") || eventId.length() > 255) {
            throw MatrixException.invalidParam("Invalid event id: " + eventId);
        }
        return eventId;
    }

    /** A query parameter, or null. */
    public static String query(RoutingContext ctx, String name) {
        return ctx.request().getParam(name);
    }

    /** Every value of a repeated query parameter. */
    public static List<String> queryAll(RoutingContext ctx, String name) {
        return ctx.queryParam(name);
    }

    /** An integer query parameter; 400 M_INVALID_PARAM if it is not one. */
    public static Integer queryInt(RoutingContext ctx, String name) {
        Long value = queryLong(ctx, name);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw MatrixException.invalidParam(name + " is out of range");
        }
        return value.intValue();
    }

    /** A long integer query parameter; 400 M_INVALID_PARAM if it is not one. */
    public static Long queryLong(RoutingContext ctx, String name) {
        String value = query(ctx, name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(name + " must be an integer");
        }
    }

    /** The {@code dir} parameter: true for {@code b}, false for {@code f}; 400 M_INVALID_PARAM otherwise. */
    public static boolean backwards(RoutingContext ctx) {
        String dir = query(ctx, "dir");
        if ("b".equals(dir)) {
            return true;
        }
        if ("f".equals(dir)) {
            return false;
        }
        throw MatrixException.invalidParam("dir must be 'b' or 'f'");
    }

    /** The body bound to {@code type}, or null when the request has no body (an optional body). */
    public static <T> T optionalBody(RoutingContext ctx, Class<T> type) {
        return optionalBody(ctx, type, Json.BodyKind.DATA);
    }

    /** {@link #optionalBody(RoutingContext, Class)} for a body of the given kind. */
    public static <T> T optionalBody(RoutingContext ctx, Class<T> type, Json.BodyKind kind) {
        if (ctx.body() == null || ctx.body().isEmpty()) {
            return null;
        }
        return Json.bind(ctx, type, kind);
    }

    /** The body as a JSON object, or null when the request has none; 400 M_BAD_JSON for another JSON value. */
    public static ObjectNode optionalObject(RoutingContext ctx, Json.BodyKind kind) {
        if (ctx.body() == null || ctx.body().isEmpty()) {
            return null;
        }
        JsonNode body = Json.parseBody(ctx, kind);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        return (ObjectNode) body;
    }
}
