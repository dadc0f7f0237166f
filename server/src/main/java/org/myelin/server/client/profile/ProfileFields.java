package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The rules profile fields follow (client-server API, {@code PUT /profile/{userId}/{keyName}}):
 * which keys exist, what values each takes, how large they may be.
 */
final class ProfileFields {

    static final String DISPLAYNAME = "displayname";
    static final String AVATAR_URL = "avatar_url";
    static final String TIME_ZONE = "m.tz";

    /** The whole profile must stay under 64 KiB. */
    static final int MAX_PROFILE_BYTES = 64 * 1024;
    /** A key is at most 255 bytes. */
    static final int MAX_KEY_BYTES = 255;
    /** Synapse's limits on the two fields every client shows. */
    static final int MAX_DISPLAYNAME_LENGTH = 256;
    static final int MAX_AVATAR_URL_LENGTH = 1000;

    private static final Pattern KEY = Pattern.compile("avatar_url|displayname|m\\.tz|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

    private ProfileFields() {
    }

    /** Checks a key named in a URL: 400 M_KEY_TOO_LARGE or M_INVALID_PARAM. */
    static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw MatrixException.of(ErrCode.M_KEY_TOO_LARGE, "Profile keys are at most " + MAX_KEY_BYTES + " bytes");
        }
        if (!KEY.matcher(key).matches()) {
            throw MatrixException.invalidParam("Invalid profile key: " + key);
        }
    }

    /**
     * The value to store for {@code key}, checked; null removes {@code displayname} and
     * {@code avatar_url} (as do empty strings, as in Synapse). Other keys keep a null as null.
     */
    static JsonNode checkValue(String key, JsonNode value) {
        switch (key) {
            case DISPLAYNAME -> {
                String name = stringOrNull(key, value);
                if (name != null && name.length() > MAX_DISPLAYNAME_LENGTH) {
                    throw MatrixException.invalidParam("'displayname' is longer than " + MAX_DISPLAYNAME_LENGTH);
                }
                return name == null || name.isEmpty() ? null : value;
            }
            case AVATAR_URL -> {
                String url = stringOrNull(key, value);
                if (url == null || url.isEmpty()) {
                    return null;
                }
                if (url.length() > MAX_AVATAR_URL_LENGTH) {
                    throw MatrixException.invalidParam("'avatar_url' is longer than " + MAX_AVATAR_URL_LENGTH);
                }
                if (!url.startsWith("mxc://")) {
                    throw MatrixException.invalidParam("'avatar_url' must be an mxc:// URI");
                }
                return value;
            }
            case TIME_ZONE -> {
                if (!value.isTextual()) {
                    throw MatrixException.invalidParam("'m.tz' must be a string");
                }
                return value;
            }
            default -> {
                return value;
            }
        }
    }

    private static String stringOrNull(String key, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw MatrixException.invalidParam("'" + key + "' must be a string");
        }
        return value.textValue();
    }
}
