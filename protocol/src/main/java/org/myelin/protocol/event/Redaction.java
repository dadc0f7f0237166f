package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.version.RedactionRules;

import java.util.Map;
import java.util.Set;

/**
 * The redaction algorithm (client-server API, "Redactions"; each room version's "Redactions"
 * section): what remains of an event once its non-essential parts are stripped. Hashing,
 * signing and event ids are computed over this form.
 */
public final class Redaction {

    private static final Set<String> ALWAYS_KEPT = Set.of(
            "event_id", "type", "room_id", "sender", "state_key", "content", "hashes",
            "signatures", "depth", "prev_events", "auth_events", "origin_server_ts");
    private static final Set<String> KEPT_BEFORE_V11 = Set.of("origin", "membership", "prev_state");

    private Redaction() {
    }

    /** A new object holding the redacted form of {@code event}; {@code event} is unchanged. */
    public static ObjectNode redact(ObjectNode event, RedactionRules rules) {
        return redact(event, rules, true);
    }

    /**
     * The redacted form of {@code event} sharing the kept values with {@code event} instead of
     * copying them: for hashing and signing, which only encode it and then drop it. Copying every
     * kept value of every received event cost more than encoding it.
     */
    static ObjectNode redactedView(ObjectNode event, RedactionRules rules) {
        return redact(event, rules, false);
    }

    private static ObjectNode redact(ObjectNode event, RedactionRules rules, boolean copy) {
        ObjectNode redacted = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : event.properties()) {
            String key = field.getKey();
            boolean kept = ALWAYS_KEPT.contains(key)
                    || rules.keepOriginMembershipPrevState() && KEPT_BEFORE_V11.contains(key);
            if (kept && !key.equals("content")) {
                redacted.set(key, copy ? field.getValue().deepCopy() : field.getValue());
            }
        }
        JsonNode content = event.get("content");
        String type = event.path("type").asText("");
        redacted.set("content", content instanceof ObjectNode object
                ? redactContent(type, object, rules, copy)
                : JsonNodeFactory.instance.objectNode());
        return redacted;
    }

    private static ObjectNode redactContent(String type, ObjectNode content, RedactionRules rules, boolean copy) {
        ObjectNode kept = JsonNodeFactory.instance.objectNode();
        switch (type) {
            case "m.room.member" -> {
                copy(content, kept, copy, "membership");
                if (rules.keepJoinAuthorisedVia()) {
                    copy(content, kept, copy, "join_authorised_via_users_server");
                }
                if (rules.keepThirdPartyInviteSigned()
                        && content.get("third_party_invite") instanceof ObjectNode invite
                        && invite.has("signed")) {
                    kept.putObject("third_party_invite").set("signed", copy ? invite.get("signed").deepCopy() : invite.get("signed"));
                }
            }
            case "m.room.create" -> {
                if (rules.keepAllCreateContent()) {
                    return copy ? content.deepCopy() : content;
                }
                copy(content, kept, copy, "creator");
            }
            case "m.room.join_rules" -> {
                copy(content, kept, copy, "join_rule");
                if (rules.keepJoinRulesAllow()) {
                    copy(content, kept, copy, "allow");
                }
            }
            case "m.room.power_levels" -> {
                copy(content, kept, copy, "ban", "events", "events_default", "kick", "redact", "state_default",
                        "users", "users_default");
                if (rules.keepPowerLevelsInvite()) {
                    copy(content, kept, copy, "invite");
                }
            }
            case "m.room.aliases" -> {
                if (rules.keepAliasesContent()) {
                    copy(content, kept, copy, "aliases");
                }
            }
            case "m.room.history_visibility" -> copy(content, kept, copy, "history_visibility");
            case "m.room.redaction" -> {
                if (rules.keepRedactionRedacts()) {
                    copy(content, kept, copy, "redacts");
                }
            }
            default -> {
                // Every other type loses all of its content.
            }
        }
        return kept;
    }

    private static void copy(ObjectNode from, ObjectNode to, boolean deep, String... keys) {
        for (String key : keys) {
            JsonNode value = from.get(key);
            if (value != null) {
                to.set(key, deep ? value.deepCopy() : value);
            }
        }
    }
}
