package org.myelin.server.client.account;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;

/**
 * Which localparts new accounts may have (appendices, "User Identifiers"; Synapse's
 * {@code check_username}): the requested username is lower-cased, then must follow the
 * current grammar ({@code a-z 0-9 . _ = - / +}), must not start with {@code _} (reserved for
 * application services), must not be all digits (reserved for guests), and the user id must
 * fit in 255 bytes. Anything else is 400 {@code M_INVALID_USERNAME}.
 */
public final class Usernames {

    private Usernames() {}

    /** The localpart for {@code username}, or 400 M_INVALID_USERNAME. */
    public static String localpart(String username, String serverName) {
        if (username.isEmpty()) {
            throw invalid("User ID cannot be empty");
        }
        String localpart = username.toLowerCase(Locale.ROOT);
        String userId = "@" + localpart + ":" + serverName;
        if (!UserId.isStrictlyValid(userId)) {
            throw invalid("User ID can only contain characters a-z, 0-9, or '=_-./+'");
        }
        if (localpart.startsWith("_")) {
            throw invalid("User ID may not begin with _");
        }
        if (localpart.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid("Numeric user IDs are reserved for guest users");
        }
        if (userId.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw invalid("User ID may not be longer than 255 characters");
        }
        return localpart;
    }

    public static String userId(String localpart, String serverName) {
        return "@" + localpart + ":" + serverName;
    }

    private static MatrixException invalid(String message) {
        return MatrixException.of(ErrCode.M_INVALID_USERNAME, message);
    }
}
