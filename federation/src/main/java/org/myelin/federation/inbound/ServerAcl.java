package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.id.ServerName;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.myelin.protocol.glob.GlobPattern;

/**
 * A room's server access control list, the content of its {@code m.room.server_acl} state event
 * (client-server API, "Server Access Control Lists"; server-server API, "Server Access Control
 * Lists"). A server is judged by its name without port, in this order: an IP literal is denied if
 * {@code allow_ip_literals} is false; a match in {@code deny} denies; a match in {@code allow}
 * allows; anything else is denied. Patterns are case-insensitive globs ({@code *}, {@code ?}),
 * matched in linear time: the room's state chooses them, a peer its name.
 */
public record ServerAcl(boolean allowIpLiterals, List<GlobPattern> allow, List<GlobPattern> deny) {

    /** No ACL event: every server is allowed. */
    public static final ServerAcl NONE = new ServerAcl(true, List.of(GlobPattern.compile("*")), List.of());

    /** The ACL an {@code m.room.server_acl} content describes; missing or malformed keys take their defaults. */
    public static ServerAcl fromContent(JsonNode content) {
        JsonNode ipLiterals = content.path("allow_ip_literals");
        return new ServerAcl(!ipLiterals.isBoolean() || ipLiterals.booleanValue(), globs(content.path("allow")),
                globs(content.path("deny")));
    }

    private static List<GlobPattern> globs(JsonNode list) {
        List<GlobPattern> patterns = new ArrayList<>();
        if (list.isArray()) {
            for (JsonNode entry : list) {
                if (entry.isTextual()) {
                    patterns.add(GlobPattern.compile(entry.textValue()));
                }
            }
        }
        return List.copyOf(patterns);
    }

    /** Whether {@code serverName} may take part in the room. */
    public boolean allows(String serverName) {
        String host;
        boolean ipLiteral;
        if (ServerName.isValid(serverName)) {
            ServerName name = ServerName.parse(serverName);
            host = name.host();
            ipLiteral = name.isIpLiteral();
        } else {
            host = serverName;
            ipLiteral = false;
        }
        if (ipLiteral && !allowIpLiterals) {
            return false;
        }
        String subject = host.toLowerCase(Locale.ROOT);
        for (GlobPattern p : deny) {
            if (p.matches(subject)) {
                return false;
            }
        }
        for (GlobPattern p : allow) {
            if (p.matches(subject)) {
                return true;
            }
        }
        return false;
    }
}
