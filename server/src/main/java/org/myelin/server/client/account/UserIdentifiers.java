package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import org.myelin.server.http.MatrixException;

/**
 * Resolves who a login or an {@code m.login.password} stage names (client-server API,
 * "Identifier types"): an {@code identifier} of type {@code m.id.user}, or the deprecated
 * top-level {@code user}; either a full user id or a localpart, matched case-insensitively as
 * Synapse does. Third-party identifiers are not supported (no 3PIDs are bound here): 403.
 */
final class UserIdentifiers {

    private UserIdentifiers() {}

    /** The user id named by {@code dict} (a login body or an auth dict). */
    static String resolve(JsonNode dict, String serverName) {
        JsonNode identifier = dict.get("identifier");
        if (identifier != null && !identifier.isNull()) {
            if (!identifier.isObject()) {
                throw MatrixException.badJson("'identifier' must be an object");
            }
            String type = text(identifier, "type", "identifier.type");
            return switch (type) {
                case "m.id.user" -> qualify(text(identifier, "user", "identifier.user"), serverName);
                case "m.id.thirdparty", "m.id.phone" -> throw MatrixException.forbidden(
                        "Invalid username or password"); // no third-party identifiers are bound here
                default -> throw MatrixException.unknownBadRequest("Unknown login identifier type " + type);
            };
        }
        JsonNode user = dict.get("user");
        if (user != null && !user.isNull()) {
            return qualify(text(dict, "user", "user"), serverName);
        }
        if (dict.hasNonNull("medium") || dict.hasNonNull("address")) {
            throw MatrixException.forbidden("Invalid username or password");
        }
        throw MatrixException.missingParam("Missing 'identifier'");
    }

    /** {@code @localpart:server} from a localpart or a user id, lower-casing the localpart. */
    static String qualify(String user, String serverName) {
        if (user.startsWith("@")) {
            int colon = user.indexOf(':');
            if (colon < 0) {
                throw MatrixException.forbidden("Invalid username or password");
            }
            if (!user.substring(colon + 1).equalsIgnoreCase(serverName)) {
                throw MatrixException.forbidden("Invalid username or password");
            }
            return "@" + user.substring(1, colon).toLowerCase(Locale.ROOT) + ":" + serverName;
        }
        return "@" + user.toLowerCase(Locale.ROOT) + ":" + serverName;
    }

    private static String text(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw MatrixException.missingParam("Missing '" + name + "'");
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("'" + name + "' must be a string");
        }
        return value.asText();
    }
}
