package org.myelin.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies {@code MYELIN_*} environment variables to the config tree, the last layer of
 * loading (containers configure through the environment).
 *
 * <p>Generic mapping: every scalar or list key outside {@code listeners} has a variable named
 * {@code MYELIN_} + its path in upper case with {@code _} between levels, e.g.
 * {@code database.max_pool_size} is {@code MYELIN_DATABASE_MAX_POOL_SIZE}. Lists take
 * comma-separated values; an empty value sets a nullable key to null.
 *
 * <p>Listeners are a list, so they get named shortcuts instead: {@code MYELIN_CLIENT_PORT},
 * {@code MYELIN_CLIENT_BIND_ADDRESS}, {@code MYELIN_FEDERATION_PORT},
 * {@code MYELIN_FEDERATION_BIND_ADDRESS}, {@code MYELIN_FEDERATION_TLS_CERTIFICATE},
 * {@code MYELIN_FEDERATION_TLS_KEY} act on the first listener serving that resource, and
 * {@code MYELIN_BIND_ADDRESS} on every listener. {@code MYELIN_FEDERATION_ALLOW_SELF_SIGNED}
 * is short for {@code MYELIN_FEDERATION_ALLOW_INSECURE_SELF_SIGNED};
 * {@code MYELIN_MAX_REQUEST_BODY_BYTES}, the name of earlier versions, sets
 * {@code media.max_upload_size}.
 *
 * <p>An unknown {@code MYELIN_*} variable is an error: a typo must not be silently ignored.
 */
final class EnvironmentOverrides {

    static final String PREFIX = "MYELIN_";

    private enum ListenerKey { PORT, BIND_ADDRESS, TLS_CERTIFICATE, TLS_KEY }

    private record ListenerOverride(Resource resource, ListenerKey key) {}

    private static final Map<String, ListenerOverride> LISTENER_VARS = Map.of(
            "MYELIN_CLIENT_PORT", new ListenerOverride(Resource.CLIENT, ListenerKey.PORT),
            "MYELIN_CLIENT_BIND_ADDRESS", new ListenerOverride(Resource.CLIENT, ListenerKey.BIND_ADDRESS),
            "MYELIN_FEDERATION_PORT", new ListenerOverride(Resource.FEDERATION, ListenerKey.PORT),
            "MYELIN_FEDERATION_BIND_ADDRESS", new ListenerOverride(Resource.FEDERATION, ListenerKey.BIND_ADDRESS),
            "MYELIN_FEDERATION_TLS_CERTIFICATE", new ListenerOverride(Resource.FEDERATION, ListenerKey.TLS_CERTIFICATE),
            "MYELIN_FEDERATION_TLS_KEY", new ListenerOverride(Resource.FEDERATION, ListenerKey.TLS_KEY));
    private static final String ALL_BIND_ADDRESSES = "MYELIN_BIND_ADDRESS";
    private static final Map<String, String> ALIASES = Map.of(
            "MYELIN_FEDERATION_ALLOW_SELF_SIGNED", "federation.allow_insecure_self_signed",
            "MYELIN_MAX_REQUEST_BODY_BYTES", "media.max_upload_size");

    private final ObjectNode tree;
    private final Map<String, String> generic;
    /** Config key (as in error messages) → the variable that set it. */
    private final Map<String, String> origins = new HashMap<>();

    private EnvironmentOverrides(ObjectNode tree, JsonNode defaults) {
        this.tree = tree;
        this.generic = new TreeMap<>(ALIASES);
        collectKeys(defaults, "");
    }

    /**
     * Applies the {@code MYELIN_*} entries of {@code env} to {@code tree}, whose key set is
     * that of {@code defaults}. Returns which variable set which key.
     */
    static Map<String, String> apply(ObjectNode tree, JsonNode defaults, Map<String, String> env) {
        EnvironmentOverrides overrides = new EnvironmentOverrides(tree, defaults);
        // Sorted, so that MYELIN_BIND_ADDRESS comes before the per-listener ones and they win.
        new TreeMap<>(env).forEach(overrides::applyOne);
        return overrides.origins;
    }

    private void collectKeys(JsonNode node, String path) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (key.equals("listeners")) {
                continue;
            }
            if (field.getValue().isObject()) {
                collectKeys(field.getValue(), key);
            } else {
                generic.put(PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT), key);
            }
        }
    }

    private void applyOne(String name, String value) {
        if (!name.startsWith(PREFIX)) {
            return;
        }
        if (generic.containsKey(name)) {
            String key = generic.get(name);
            setPath(key, value, name);
        } else if (LISTENER_VARS.containsKey(name)) {
            applyListener(name, LISTENER_VARS.get(name), value);
        } else if (name.equals(ALL_BIND_ADDRESSES)) {
            ArrayNode listeners = listeners();
            for (int i = 0; i < listeners.size(); i++) {
                ((ObjectNode) listeners.get(i)).put("bind_address", value);
                origins.put("listeners[" + i + "].bind_address", name);
            }
        } else {
            TreeSet<String> known = new TreeSet<>(generic.keySet());
            known.addAll(LISTENER_VARS.keySet());
            known.add(ALL_BIND_ADDRESSES);
            throw new ConfigException(name, "unknown environment variable (known: " + String.join(", ", known) + ")");
        }
    }

    private void setPath(String key, String value, String variable) {
        String[] parts = key.split("\\.");
        ObjectNode parent = tree;
        for (String part : Arrays.copyOf(parts, parts.length - 1)) {
            JsonNode child = parent.get(part);
            if (child == null || !child.isObject()) {
                child = parent.putObject(part);
            }
            parent = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        parent.set(leaf, convert(value, parent.get(leaf), key, variable));
        origins.put(key, variable);
    }

    private void applyListener(String name, ListenerOverride override, String value) {
        ArrayNode listeners = listeners();
        for (int i = 0; i < listeners.size(); i++) {
            ObjectNode listener = (ObjectNode) listeners.get(i);
            if (!serves(listener, override.resource())) {
                continue;
            }
            String prefix = "listeners[" + i + "].";
            switch (override.key()) {
                case PORT -> {
                    listener.set("port", convert(value, listener.get("port"), prefix + "port", name));
                    origins.put(prefix + "port", name);
                }
                case BIND_ADDRESS -> {
                    listener.put("bind_address", value);
                    origins.put(prefix + "bind_address", name);
                }
                case TLS_CERTIFICATE, TLS_KEY -> {
                    String field = override.key() == ListenerKey.TLS_CERTIFICATE ? "certificate_path" : "key_path";
                    JsonNode tls = listener.get("tls");
                    ObjectNode tlsObject = tls != null && tls.isObject() ? (ObjectNode) tls : listener.putObject("tls");
                    tlsObject.put(field, value);
                    origins.put(prefix + "tls." + field, name);
                }
            }
            return;
        }
        throw new ConfigException(name, "no listener serves the " + override.resource().configName() + " resource");
    }

    private ArrayNode listeners() {
        JsonNode listeners = tree.get("listeners");
        return listeners != null && listeners.isArray() ? (ArrayNode) listeners : JsonNodeFactory.instance.arrayNode();
    }

    private static boolean serves(ObjectNode listener, Resource resource) {
        JsonNode resources = listener.get("resources");
        if (resources == null || !resources.isArray()) {
            return false;
        }
        for (JsonNode r : resources) {
            if (resource.configName().equals(r.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Converts the variable's text to the type of the value it replaces. */
    private static JsonNode convert(String value, JsonNode current, String key, String variable) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String v = value.trim();
        if (current != null && current.isBoolean()) {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return f.booleanNode(Boolean.parseBoolean(v));
            }
            throw new ConfigException(key, "expected true or false, got '" + value + "'").from("from " + variable);
        }
        if (current != null && current.isIntegralNumber()) {
            try {
                return f.numberNode(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "expected an integer, got '" + value + "'").from("from " + variable);
            }
        }
        if (current != null && current.isArray()) {
            ArrayNode list = f.arrayNode();
            for (String item : v.split(",")) {
                if (!item.isBlank()) {
                    list.add(item.trim());
                }
            }
            return list;
        }
        return v.isEmpty() ? f.nullNode() : f.textNode(value);
    }
}
