package org.myelin.server.appservice;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.myelin.federation.discovery.IpRange;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;

/**
 * Reads application service registration files ({@code app_service_config_files}) as Synapse's
 * {@code load_appservices} does: {@code id}, {@code as_token}, {@code hs_token} and
 * {@code sender_localpart} are required strings; {@code url} is a string or an explicit null
 * (no pushes, no queries), never absent; {@code namespaces} an object whose {@code users},
 * {@code aliases} and {@code rooms} are lists of {@code {exclusive, regex}}. Across files, ids and
 * tokens are unique: an {@code as_token} equal to another service's {@code as_token} or to any
 * {@code hs_token} would let one party pass for the other. Any fault is an {@link InvalidRegistration}
 * naming the file.
 */
public final class Registrations {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A registration file Myelin cannot run with. */
    public static final class InvalidRegistration extends RuntimeException {
        InvalidRegistration(Path file, String problem) {
            super("app_service_config_files: " + file + ": " + problem);
        }
    }

    private Registrations() {}

    /** The application services of {@code files}, in order. */
    public static List<AppService> load(List<Path> files, ServerName serverName) {
        List<AppService> services = new ArrayList<>();
        Map<String, Path> ids = new HashMap<>();
        Map<String, Path> tokens = new HashMap<>();
        for (Path file : files) {
            AppService s = read(file, serverName);
            Path other = ids.putIfAbsent(s.id(), file);
            if (other != null) {
                throw new InvalidRegistration(file, "id '" + s.id() + "' is also the id in " + other);
            }
            for (String token : List.of(s.asToken(), s.hsToken())) {
                other = tokens.putIfAbsent(token, file);
                if (other != null) {
                    throw new InvalidRegistration(file, "a token of this service is also a token in " + other
                            + " (each as_token and hs_token must be unique)");
                }
            }
            services.add(s);
        }
        return List.copyOf(services);
    }

    static AppService read(Path file, ServerName serverName) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new InvalidRegistration(file, "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidRegistration(file, "cannot read it: " + e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRegistration(file, "must be a YAML mapping");
        }
        return parse(file, root, serverName);
    }

    static AppService parse(Path file, JsonNode root, ServerName serverName) {
        String id = requiredString(file, root, "id");
        String asToken = requiredString(file, root, "as_token");
        String hsToken = requiredString(file, root, "hs_token");
        if (asToken.equals(hsToken)) {
            throw new InvalidRegistration(file, "as_token and hs_token must differ");
        }
        String localpart = requiredString(file, root, "sender_localpart");
        if (!URLEncoder.encode(localpart, StandardCharsets.UTF_8).equals(localpart)
                || !UserId.isValid("@" + localpart + ":" + serverName)) {
            throw new InvalidRegistration(file, "sender_localpart '" + localpart + "' is not a user id localpart");
        }
        JsonNode namespaces = root.get("namespaces");
        if (namespaces == null || !namespaces.isObject()) {
            throw new InvalidRegistration(file, "namespaces: required, an object of users, aliases and rooms");
        }
        return new AppService(id, url(file, root), asToken, hsToken,
                UserId.parse("@" + localpart + ":" + serverName),
                namespace(file, namespaces, "users"), namespace(file, namespaces, "aliases"),
                namespace(file, namespaces, "rooms"),
                !root.path("rate_limited").isBoolean() || root.get("rate_limited").booleanValue(),
                protocols(file, root), ephemeral(file, root), ipRanges(file, root));
    }

    /** {@code ip_range_whitelist}: addresses or CIDR ranges (Synapse's name; absent or null: any address). */
    private static List<IpRange> ipRanges(Path file, JsonNode root) {
        JsonNode list = root.get("ip_range_whitelist");
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new InvalidRegistration(file, "ip_range_whitelist: must be a list of addresses or CIDR ranges");
        }
        List<IpRange> ranges = new ArrayList<>();
        for (JsonNode entry : list) {
            try {
                if (!entry.isTextual()) {
                    throw new IllegalArgumentException("not a string: " + entry);
                }
                ranges.add(IpRange.parse(entry.textValue()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRegistration(file, "ip_range_whitelist: " + e.getMessage());
            }
        }
        return ranges;
    }

    private static URI url(Path file, JsonNode root) {
        JsonNode url = root.get("url");
        if (url == null || !(url.isNull() || url.isTextual())) {
            throw new InvalidRegistration(file, "url: required, a URL or an explicit null (no pushes)");
        }
        if (url.isNull()) {
            return null;
        }
        try {
            URI uri = new URI(url.textValue().replaceAll("/+$", ""));
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new InvalidRegistration(file, "url: '" + url.textValue() + "' is not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidRegistration(file, "url: " + e.getMessage());
        }
    }

    private static List<Namespace> namespace(Path file, JsonNode namespaces, String kind) {
        JsonNode list = namespaces.get(kind);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new InvalidRegistration(file, "namespaces." + kind + ": must be a list");
        }
        List<Namespace> result = new ArrayList<>();
        for (JsonNode entry : list) {
            if (!entry.isObject() || !entry.path("regex").isTextual() || !entry.path("exclusive").isBoolean()) {
                throw new InvalidRegistration(file, "namespaces." + kind
                        + ": each entry must be {exclusive: true|false, regex: '…'}");
            }
            try {
                result.add(new Namespace(Pattern.compile(entry.get("regex").textValue()),
                        entry.get("exclusive").booleanValue()));
            } catch (PatternSyntaxException e) {
                throw new InvalidRegistration(file, "namespaces." + kind + ": bad regex: " + e.getMessage());
            }
        }
        return result;
    }

    private static List<String> protocols(Path file, JsonNode root) {
        JsonNode protocols = root.get("protocols");
        if (protocols == null || protocols.isNull()) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        if (protocols.isArray()) {
            for (JsonNode p : protocols) {
                if (!p.isTextual()) {
                    throw new InvalidRegistration(file, "protocols: each must be a string");
                }
                result.add(p.textValue());
            }
            return result;
        }
        throw new InvalidRegistration(file, "protocols: must be a list of strings");
    }

    private static AppService.Ephemeral ephemeral(Path file, JsonNode root) {
        for (String flag : List.of("receive_ephemeral", "de.sorunome.msc2409.push_ephemeral", "org.matrix.msc3202")) {
            JsonNode v = root.get(flag);
            if (v != null && !v.isNull() && !v.isBoolean()) {
                throw new InvalidRegistration(file, flag + ": must be true or false");
            }
        }
        if (root.path("receive_ephemeral").asBoolean(false)) {
            return AppService.Ephemeral.STABLE;
        }
        return root.path("de.sorunome.msc2409.push_ephemeral").asBoolean(false)
                ? AppService.Ephemeral.UNSTABLE : AppService.Ephemeral.NONE;
    }

    private static String requiredString(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw new InvalidRegistration(file, field + ": required, a string");
        }
        return v.textValue();
    }
}
