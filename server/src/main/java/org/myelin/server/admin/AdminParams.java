package org.myelin.server.admin;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;

/**
 * Query and path parameters of the admin API, refused as Synapse's {@code parse_integer},
 * {@code parse_boolean} and {@code parse_string} refuse them: 400 M_INVALID_PARAM naming the
 * parameter.
 */
public final class AdminParams {

    private AdminParams() {
    }

    /** A non-negative integer parameter, {@code fallback} when absent. */
    public static long nonNegative(RoutingContext ctx, String name, long fallback) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Query parameter '" + name + "' must be an integer.");
        }
        if (parsed < 0) {
            throw MatrixException.invalidParam("Query parameter '" + name + "' must be a positive integer.");
        }
        return parsed;
    }

    /** The {@code limit} parameter, at most what an int holds. */
    public static int limit(RoutingContext ctx, int fallback) {
        return (int) Math.min(Integer.MAX_VALUE, nonNegative(ctx, "limit", fallback));
    }

    /** A boolean parameter ({@code true} or {@code false}), null when absent. */
    public static Boolean bool(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam(
                    "Boolean query parameter '" + name + "' must be one of ['true', 'false']");
        };
    }

    /** A boolean parameter with a default. */
    public static boolean bool(RoutingContext ctx, String name, boolean fallback) {
        Boolean value = bool(ctx, name);
        return value == null ? fallback : value;
    }

    /** A string parameter that must be one of {@code allowed}; {@code fallback} when absent. */
    public static String oneOf(RoutingContext ctx, String name, String fallback, List<String> allowed) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            throw MatrixException.invalidParam("Query parameter '" + name + "' must be one of ["
                    + String.join(", ", allowed) + "]");
        }
        return value;
    }

    /** The {@code dir} parameter: true for {@code b}; {@code f} by default. */
    public static boolean backwards(RoutingContext ctx) {
        return "b".equals(oneOf(ctx, "dir", "f", List.of("f", "b")));
    }

    /** A user id path parameter; 400 M_INVALID_PARAM if it is not one. */
    public static String userId(RoutingContext ctx, String name) {
        String value = ctx.pathParam(name);
        if (value == null || !UserId.isValid(value)) {
            throw MatrixException.invalidParam("Invalid user id: " + value);
        }
        return value;
    }

    /** Whether {@code userId} (a valid user id) is of {@code serverName}. */
    public static boolean isLocal(String userId, String serverName) {
        return UserId.parse(userId).server().toString().equals(serverName);
    }

    /** A user id path parameter naming a user of {@code serverName}; 400 {@code notLocal} otherwise. */
    public static String localUserId(RoutingContext ctx, String name, String serverName, String notLocal) {
        String userId = userId(ctx, name);
        if (!isLocal(userId, serverName)) {
            throw MatrixException.unknownBadRequest(notLocal);
        }
        return userId;
    }
}
