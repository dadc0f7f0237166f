package org.myelin.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What a homeserver asks identity servers (identity service API) for third-party invites, as
 * Synapse asks it: whom a third-party identifier is bound to ({@code hash_details}, then a
 * {@code lookup} hashed with SHA-256 and the server's pepper, or in plain text if that is all it
 * offers), to store an invite for an identifier bound to no one ({@code store-invite}), and whether
 * a public key it signed with is still valid ({@code pubkey/isvalid}).
 */
public final class IdentityServers {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityServers.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String V2 = "/_matrix/identity/v2";
    private static final int MAX_ACCESS_TOKEN_LENGTH = 1024;

    /**
     * An invite the identity server stored: the token to sign, its public keys (each with
     * {@code public_key} and {@code key_validity_url}), the one given alone for older servers, and
     * the name to show for the invitee.
     */
    public record StoredInvite(String token, List<ObjectNode> publicKeys, ObjectNode fallbackKey, String displayName) {
    }

    private final IdentityServerClient client;

    public IdentityServers(IdentityServerClient client) {
        this.client = client;
    }

    /** 400 M_INVALID_PARAM unless {@code idServer} is a host name with an optional port, as clients give it. */
    public static void requireValid(String idServer) {
        if (idServer == null || !ServerName.isValid(idServer)) {
            throw MatrixException.invalidParam("Invalid id_server: " + idServer);
        }
    }

    /**
     * 400 M_INVALID_PARAM unless {@code token} can go into an {@code Authorization} header as it
     * is: printable ASCII without spaces, of a length no identity server hands out beyond.
     */
    public static void requireValidAccessToken(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_ACCESS_TOKEN_LENGTH
                || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw MatrixException.invalidParam("Invalid id_access_token");
        }
    }

    /**
     * The user {@code address} of {@code medium} is bound to; empty if none, or if the identity
     * server cannot tell (as Synapse, which then stores an invite instead).
     */
    public Optional<String> lookup(String idServer, String accessToken, String medium, String address) {
        try {
            IdentityServerClient.Answer details = client.get(url(idServer, V2 + "/hash_details"), accessToken);
            JsonNode algorithms = details.ok() ? details.body().get("algorithms") : null;
            JsonNode pepper = details.ok() ? details.body().get("lookup_pepper") : null;
            if (algorithms == null || !algorithms.isArray() || pepper == null || !pepper.isTextual()
                    || pepper.textValue().isEmpty()) {
                LOG.info("Identity server {} gave no usable hash details ({})", idServer, details.status());
                return Optional.empty();
            }
            List<String> offered = new ArrayList<>();
            algorithms.forEach(a -> offered.add(a.asText()));
            String algorithm;
            String value;
            if (offered.contains("sha256")) {
                algorithm = "sha256";
                value = sha256(address + " " + medium + " " + pepper.textValue());
            } else if (offered.contains("none")) {
                algorithm = "none";
                value = address + " " + medium;
            } else {
                LOG.info("Identity server {} offers no lookup algorithm this server knows: {}", idServer, offered);
                return Optional.empty();
            }
            ObjectNode body = JSON.objectNode().put("algorithm", algorithm).put("pepper", pepper.textValue());
            body.putArray("addresses").add(value);
            IdentityServerClient.Answer found = client.post(url(idServer, V2 + "/lookup"), accessToken, body);
            JsonNode mxid = found.ok() ? found.body().path("mappings").get(value) : null;
            return mxid != null && mxid.isTextual() && UserId.isValid(mxid.textValue())
                    ? Optional.of(mxid.textValue()) : Optional.empty();
        } catch (IdentityServerClient.Unreachable e) {
            LOG.warn("Cannot look up a third-party identifier at {}: {}", idServer, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Has {@code idServer} store an invite ({@code invite}: medium, address, room and inviter as
     * the identity service API lists them). An identity server that cannot be reached or refuses
     * gives 400 M_UNKNOWN "Error contacting the identity server", as Synapse answers when it
     * proxies a client's request to one: the client named it. Its own status is not passed on: a
     * 401 for the client's identity token would read as this server's answer about the client's
     * access token.
     */
    public StoredInvite storeInvite(String idServer, String accessToken, ObjectNode invite) {
        IdentityServerClient.Answer answer;
        try {
            answer = client.post(url(idServer, V2 + "/store-invite"), accessToken, invite);
        } catch (IdentityServerClient.Unreachable e) {
            LOG.info("Cannot store a third-party invite at {}: {}", idServer, e.getMessage());
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Error contacting the identity server").withStatus(400);
        }
        if (!answer.ok()) {
            String said = answer.body() == null ? "" : ": " + answer.body().path("errcode").asText("")
                    + " " + answer.body().path("error").asText("");
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Error contacting the identity server: it refused to store "
                    + "the invite (HTTP " + answer.status() + said + ")").withStatus(400);
        }
        JsonNode body = answer.body();
        String token = text(body, "token");
        String displayName = text(body, "display_name");
        String keyValidityUrl = "https://" + idServer + V2 + "/pubkey/isvalid";
        List<ObjectNode> keys = new ArrayList<>();
        body.path("public_keys").forEach(k -> {
            if (k.isObject() && k.path("public_key").isTextual()) {
                keys.add((ObjectNode) k);
            }
        });
        ObjectNode fallback;
        if (body.path("public_key").isTextual()) {
            fallback = JSON.objectNode().put("public_key", body.get("public_key").textValue())
                    .put("key_validity_url", keyValidityUrl);
        } else if (!keys.isEmpty()) {
            fallback = keys.getFirst();
        } else {
            fallback = null;
        }
        if (token == null || displayName == null || fallback == null) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Error contacting the identity server: its answer to "
                    + "store-invite lacks a token, a display name or a public key").withStatus(400);
        }
        if (keys.isEmpty()) {
            keys.add(fallback);
        }
        return new StoredInvite(token, keys, fallback, displayName);
    }

    /**
     * Asks {@code keyValidityUrl} whether {@code publicKey} is still valid, as Synapse does before
     * it sends a third-party invite's membership: 403 M_FORBIDDEN if the identity server says it is
     * not, 502 if it cannot be asked.
     */
    public void requireValidKey(String keyValidityUrl, String publicKey) {
        URI url;
        try {
            URI base = new URI(keyValidityUrl);
            String query = "public_key=" + URLEncoder.encode(publicKey, StandardCharsets.UTF_8);
            url = new URI(base.getScheme() + "://" + base.getRawAuthority() + base.getRawPath() + "?"
                    + (base.getRawQuery() == null ? "" : base.getRawQuery() + "&") + query);
        } catch (URISyntaxException | RuntimeException e) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Third party certificate could not be checked").withStatus(502);
        }
        IdentityServerClient.Answer answer;
        try {
            answer = client.get(url, null);
        } catch (IdentityServerClient.Unreachable e) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Third party certificate could not be checked").withStatus(502);
        }
        if (!answer.ok()) {
            throw MatrixException.of(ErrCode.M_UNKNOWN, "Third party certificate could not be checked").withStatus(502);
        }
        if (!answer.body().path("valid").asBoolean(false)) {
            throw MatrixException.forbidden("Third party certificate was invalid");
        }
    }

    private static String text(JsonNode body, String key) {
        JsonNode value = body.get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static URI url(String idServer, String path) {
        requireValid(idServer);
        return URI.create("https://" + idServer + path);
    }

    /** SHA-256 in unpadded URL-safe base64, as the identity service API's lookup hashes. */
    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
