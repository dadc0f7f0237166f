package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server-default push rules (client-server API, "Predefined Rules"), as the spec text
 * defines them, from {@code default-push-rules.json} beside this class. The definitions name
 * the user with placeholders; {@link #forUser} puts in the user's id and localpart.
 *
 * <p>The master rule is first of the override rules and outranks every user-defined rule; the
 * other defaults rank below the user's rules of their kind (see {@link PushRuleSet}).
 */
public final class DefaultPushRules {

    public static final String MASTER = ".m.rule.master";

    /**
     * The deprecated rules that look for mentions in the body; as the spec says of them since
     * v1.7, they apply only to events without an {@code m.mentions} property.
     */
    public static final List<String> LEGACY_MENTION_RULES = List.of(
            ".m.rule.contains_display_name", ".m.rule.roomnotif", ".m.rule.contains_user_name");

    static final String USER_ID = "[the user's Matrix ID]";
    static final String LOCALPART = "[the local part of the user's Matrix ID]";

    private static final JsonNode DEFINITIONS = load();

    private DefaultPushRules() {
    }

    /** Every server-default rule for {@code userId}, kinds in evaluation order, each kind in spec order. */
    public static List<PushRule> forUser(String userId) {
        Map<String, String> substitutions = Map.of(USER_ID, userId, LOCALPART, localpart(userId));
        List<PushRule> rules = new ArrayList<>();
        for (RuleKind kind : RuleKind.values()) {
            for (JsonNode definition : DEFINITIONS.path(kind.wire())) {
                rules.add(PushRule.parse(kind, substitute(definition.deepCopy(), substitutions)));
            }
        }
        return List.copyOf(rules);
    }

    /** The server-default rule of {@code kind} with {@code ruleId}, for {@code userId}. */
    public static Optional<PushRule> find(String userId, RuleKind kind, String ruleId) {
        return forUser(userId).stream().filter(r -> r.kind() == kind && r.ruleId().equals(ruleId)).findFirst();
    }

    private static String localpart(String userId) {
        int colon = userId.indexOf(':');
        return userId.substring(userId.startsWith("@") ? 1 : 0, colon < 0 ? userId.length() : colon);
    }

    private static JsonNode substitute(JsonNode node, Map<String, String> substitutions) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode value = field.getValue();
                if (value.isTextual() && substitutions.containsKey(value.textValue())) {
                    field.setValue(TextNode.valueOf(substitutions.get(value.textValue())));
                } else {
                    substitute(value, substitutions);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> substitute(child, substitutions));
        }
        return node;
    }

    private static JsonNode load() {
        try (InputStream in = DefaultPushRules.class.getResourceAsStream("default-push-rules.json")) {
            if (in == null) {
                throw new IllegalStateException("default-push-rules.json is missing from the classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
