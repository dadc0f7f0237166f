package org.myelin.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Loads the {@link HomeserverConfig}: built-in defaults, then the YAML file given with
 * {@code --config}, then {@code MYELIN_*} environment variables ({@link EnvironmentOverrides}),
 * then checks the result ({@link ConfigValidator}). Every failure is one
 * {@link ConfigException} naming the key.
 *
 * <p>Layers merge as trees: a YAML mapping overrides only the keys it names, so a file can
 * say just {@code server_name: example.org}. Lists (listeners) replace the default list
 * whole. A key present with an empty value over a section keeps that section's defaults.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            // Paths as written ("./data"), not as absolute file: URIs.
            .registerModule(new SimpleModule().addSerializer(Path.class, ToStringSerializer.instance));

    private ConfigLoader() {}

    /** Loads defaults, then {@code file} if present, then the {@code MYELIN_*} entries of {@code env}. */
    public static HomeserverConfig load(Optional<Path> file, Map<String, String> env) {
        JsonNode defaults = YAML.valueToTree(HomeserverConfig.defaults());
        ObjectNode tree = defaults.deepCopy();
        String fileSource = null;
        if (file.isPresent()) {
            merge(tree, renameOldKeys(readYaml(file.get())));
            fileSource = "in " + file.get();
        }
        Map<String, String> origins = EnvironmentOverrides.apply(tree, defaults, env);
        HomeserverConfig config = bind(tree, origins, fileSource);
        try {
            ConfigValidator.validate(config);
        } catch (ConfigException e) {
            throw e.from(source(e.key(), origins, fileSource));
        }
        return config;
    }

    private static JsonNode readYaml(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", "file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        try {
            return asMapping(YAML.readTree(text), file.toString());
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException("--config", file + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
    }

    /**
     * Keys of earlier versions, read as their new names: the top-level {@code max_request_body_bytes}
     * is {@code media.max_upload_size}. Both at once is an error: which one was meant is unknown.
     */
    private static JsonNode renameOldKeys(JsonNode file) {
        JsonNode old = file.get("max_request_body_bytes");
        if (old == null) {
            return file;
        }
        ObjectNode renamed = ((ObjectNode) file).deepCopy();
        renamed.remove("max_request_body_bytes");
        JsonNode media = renamed.get("media");
        if (media != null && media.isObject() && media.has("max_upload_size")) {
            throw new ConfigException("max_request_body_bytes",
                    "is the old name of media.max_upload_size; give only media.max_upload_size");
        }
        ObjectNode section = media != null && media.isObject() ? (ObjectNode) media : renamed.putObject("media");
        section.set("max_upload_size", old);
        return renamed;
    }

    private static JsonNode asMapping(JsonNode node, String what) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode(); // an empty file: all defaults
        }
        if (!node.isObject()) {
            throw new ConfigException("config", what + " must be a YAML mapping of keys to values, not a " + node.getNodeType());
        }
        return node;
    }

    /** Deep merge: mappings merge key by key; anything else replaces; null keeps a default section. */
    private static void merge(ObjectNode target, JsonNode overlay) {
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            JsonNode current = target.get(field.getKey());
            JsonNode value = field.getValue();
            if (current != null && current.isObject() && value.isObject()) {
                merge((ObjectNode) current, value);
            } else if (!(current != null && current.isObject() && value.isNull())) {
                target.set(field.getKey(), value);
            }
        }
    }

    private static HomeserverConfig bind(ObjectNode tree, Map<String, String> origins, String fileSource) {
        try {
            return YAML.treeToValue(tree, HomeserverConfig.class);
        } catch (JsonMappingException e) {
            String key = keyOf(e);
            throw new ConfigException(key, problemOf(e)).from(source(key, origins, fileSource));
        } catch (JsonProcessingException e) {
            throw new ConfigException("config", e.getOriginalMessage());
        }
    }

    private static String source(String key, Map<String, String> origins, String fileSource) {
        String variable = origins.get(key);
        return variable != null ? "from " + variable : fileSource;
    }

    /** The dotted path of the failing key, e.g. {@code listeners[1].tls.key_path}. */
    static String keyOf(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!key.isEmpty()) {
                    key.append('.');
                }
                key.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                key.append('[').append(ref.getIndex()).append(']');
            }
        }
        return key.isEmpty() ? "config" : key.toString();
    }

    private static String problemOf(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return "unknown key" + (known.isEmpty() ? "" : " (known keys here: " + known + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return "'" + f.getValue() + "' is not a valid " + typeName(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + typeName(m.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "boolean (true or false)";
        }
        if (type == String.class || type == Path.class) {
            return "string";
        }
        if (type == Resource.class) {
            return "resource (one of client, federation, keys, media)";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "list";
        }
        if (type.isRecord()) {
            return "mapping";
        }
        return type.getSimpleName();
    }
}
