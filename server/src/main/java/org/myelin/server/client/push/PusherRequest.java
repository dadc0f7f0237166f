package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.server.push.PusherSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /_matrix/client/v3/pushers/set}, checked as Synapse checks it: a
 * {@code null} kind with an app id and a pushkey deletes; otherwise every one of {@code kind},
 * {@code app_id}, {@code app_display_name}, {@code device_display_name}, {@code pushkey},
 * {@code lang} and {@code data} must be there (400 M_MISSING_PARAM naming the missing ones), and an
 * {@code http} pusher's {@code data} must hold a {@code url} whose path is
 * {@code /_matrix/push/v1/notify} (400 M_MISSING_PARAM, Synapse's "Config Error"). Values of the
 * wrong type, past the spec's lengths (app id 64 characters, pushkey 512 bytes) or an unknown kind
 * are 400 M_INVALID_PARAM; an {@code email} pusher needs an email address bound to the account,
 * which none is here (400 M_THREEPID_NOT_FOUND).
 */
sealed interface PusherRequest {

    String NOTIFY_PATH = "/_matrix/push/v1/notify";
    List<String> REQUIRED = List.of("kind", "app_id", "app_display_name", "device_display_name", "pushkey", "lang",
            "data");
    int MAX_APP_ID_CHARS = 64;
    int MAX_PUSHKEY_BYTES = 512;

    /** Delete the requester's pusher with this app id and pushkey. */
    record Delete(String appId, String pushkey) implements PusherRequest {
    }

    /** Create or replace the requester's pusher; unless {@code append}, take the pushkey from other users. */
    record Put(PusherSettings settings, boolean append) implements PusherRequest {
    }

    static PusherRequest parse(JsonNode body) {
        if (body.has("pushkey") && body.has("app_id") && body.has("kind") && body.get("kind").isNull()) {
            return new Delete(text(body, "app_id"), text(body, "pushkey"));
        }
        List<String> missing = new ArrayList<>();
        for (String key : REQUIRED) {
            if (!body.has(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw MatrixException.missingParam("Missing params: " + missing);
        }
        String kind = text(body, "kind");
        String appId = text(body, "app_id");
        String pushkey = text(body, "pushkey");
        if (appId.codePointCount(0, appId.length()) > MAX_APP_ID_CHARS) {
            throw MatrixException.invalidParam("app_id must be at most " + MAX_APP_ID_CHARS + " characters");
        }
        if (pushkey.getBytes(StandardCharsets.UTF_8).length > MAX_PUSHKEY_BYTES) {
            throw MatrixException.invalidParam("pushkey must be at most " + MAX_PUSHKEY_BYTES + " bytes");
        }
        JsonNode lang = body.get("lang");
        if (!lang.isNull() && !lang.isTextual()) {
            throw MatrixException.invalidParam("lang must be a string");
        }
        JsonNode profileTag = body.path("profile_tag");
        if (!profileTag.isMissingNode() && !profileTag.isTextual()) {
            throw MatrixException.invalidParam("profile_tag must be a string");
        }
        JsonNode append = body.path("append");
        if (!append.isMissingNode() && !append.isBoolean()) {
            throw MatrixException.invalidParam("append must be a boolean");
        }
        ObjectNode data = data(kind, body.get("data"));
        return new Put(new PusherSettings(kind, appId, text(body, "app_display_name"),
                text(body, "device_display_name"), pushkey, lang.isNull() ? null : lang.textValue(), data,
                profileTag.isTextual() ? profileTag.textValue() : ""), append.asBoolean(false));
    }

    private static ObjectNode data(String kind, JsonNode data) {
        switch (kind) {
            case "http" -> {
                if (data.isNull()) {
                    throw configError("'data' key can not be null for HTTP pusher");
                }
                if (!(data instanceof ObjectNode object)) {
                    throw MatrixException.invalidParam("data must be an object");
                }
                JsonNode url = object.get("url");
                if (url == null) {
                    throw configError("'url' required in data for HTTP pusher");
                }
                if (!url.isTextual()) {
                    throw configError("'url' must be a string");
                }
                checkUrl(url.textValue());
                return object;
            }
            case "email" -> throw MatrixException.of(ErrCode.M_THREEPID_NOT_FOUND, "Email not found");
            default -> throw MatrixException.invalidParam("Unknown pusher kind: " + kind);
        }
    }

    private static void checkUrl(String url) {
        URI parsed;
        try {
            parsed = new URI(url);
        } catch (URISyntaxException e) {
            throw configError("'url' is not a URL");
        }
        if (!NOTIFY_PATH.equals(parsed.getPath())) {
            throw configError("'url' must have a path of '" + NOTIFY_PATH + "'");
        }
        String scheme = parsed.getScheme();
        if (parsed.getHost() == null || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
            throw configError("'url' must be an http or https URL with a host");
        }
    }

    /** Synapse's PusherConfigException: 400 M_MISSING_PARAM "Config Error: …". */
    private static MatrixException configError(String reason) {
        return MatrixException.missingParam("Config Error: " + reason);
    }

    private static String text(JsonNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || !value.isTextual()) {
            throw MatrixException.invalidParam(key + " must be a string");
        }
        return value.textValue();
    }
}
