package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.version.RedactionRules;

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
        ObjectNode redacted = JsonNodeFactory.instance.objectNode();
        event.fields().forEachRemaining(field -> {
            String key = field.getKey();
            boolean kept = ALWAYS_KEPT.contains(key)
                    || rules.keepOriginMembershipPrevState() && KEPT_BEFORE_V11.contains(key);
            if (kept && !key.equals("content")) {
                redacted.set(key, field.getValue().deepCopy());
            }
        });
        JsonNode content = event.get("content");
        String type = event.path("type").asText("");
        redacted.set("content", content instanceof ObjectNode object
                ? redactContent(type, object, rules)
                : JsonNodeFactory.instance.objectNode());
        return redacted;
    }

    private static ObjectNode redactContent(String type, ObjectNode content, RedactionRules rules) {
        ObjectNode kept = JsonNodeFactory.instance.objectNode();
        switch (type) {
            case "m.room.member" -> {
                copy(content, kept, "membership");
                if (rules.keepJoinAuthorisedVia()) {
                    copy(content, kept, "join_authorised_via_users_server");
                }
                if (rules.keepThirdPartyInviteSigned()
                        && content.get("third_party_invite") instanceof ObjectNode invite
                        && invite.has("signed")) {
                    kept.putObject("third_party_invite").set("signed", invite.get("signed").deepCopy());
                }
            }
            case "m.room.create" -> {
                if (rules.keepAllCreateContent()) {
                    return content.deepCopy();
                }
                copy(content, kept, "creator");
            }
            case "m.room.join_rules" -> {
                copy(content, kept, "join_rule");
                if (rules.keepJoinRulesAllow()) {
                    copy(content, kept, "allow");
                }
            }
            case "m.room.power_levels" -> {
                copy(content, kept, "ban", "events", "events_default", "kick", "redact", "state_default",
                        "users", "users_default");
                if (rules.keepPowerLevelsInvite()) {
                    copy(content, kept, "invite");
                }
            }
            case "m.room.aliases" -> {
                if (rules.keepAliasesContent()) {
                    copy(content, kept, "aliases");
                }
            }
            case "m.room.history_visibility" -> copy(content, kept, "history_visibility");
            case "m.room.redaction" -> {
                if (rules.keepRedactionRedacts()) {
                    copy(content, kept, "redacts");
                }
            }
            default -> {
                // Every other type loses all of its content.
            }
        }
        return kept;
    }

    private static void copy(ObjectNode from, ObjectNode to, String... keys) {
        for (String key : keys) {
            JsonNode value = from.get(key);
            if (value != null) {
                to.set(key, value.deepCopy());
            }
        }
    }
}
