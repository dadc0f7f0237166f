package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.push.PushCondition;
import org.myelin.protocol.push.PushRule;
import org.myelin.protocol.push.RuleKind;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.push.PushRules;
import org.myelin.storage.push.PushRuleRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a user set up for an upgraded room, carried to its replacement (client-server API, "Room
 * Upgrades": "the server should automatically transfer/replicate some of the user's personalized
 * settings such as notifications, tags, etc."; Synapse's {@code copy_user_state_on_room_upgrade}):
 * the room's tags, its place in {@code m.direct}, and the user's enabled push rules for the room
 * (a room rule named by it, or a rule with an {@code event_match} on its {@code room_id}), copied
 * under the new room's id.
 */
final class UserStateTransfer {

    private static final Logger LOG = LoggerFactory.getLogger(UserStateTransfer.class);

    private final PushRules pushRules;
    private final AccountData accountData;

    UserStateTransfer(PushRules pushRules, AccountData accountData) {
        this.pushRules = pushRules;
        this.accountData = accountData;
    }

    /** Copies each user's settings; one user's failure is logged and the others go on, as in Synapse. */
    void copy(List<String> userIds, String oldRoomId, String newRoomId) {
        for (String userId : userIds) {
            try {
                copyTags(userId, oldRoomId, newRoomId);
                copyDirect(userId, oldRoomId, newRoomId);
                copyPushRules(userId, oldRoomId, newRoomId);
            } catch (RuntimeException e) {
                LOG.warn("Upgrade of {}: settings of {} not copied to {}", oldRoomId, userId, newRoomId, e);
            }
        }
    }

    private void copyTags(String userId, String oldRoomId, String newRoomId) {
        for (Map.Entry<String, JsonNode> tag : accountData.tags(userId, oldRoomId).properties()) {
            ObjectNode content = tag.getValue() instanceof ObjectNode o ? o.deepCopy()
                    : JsonNodeFactory.instance.objectNode();
            accountData.putTag(userId, newRoomId, tag.getKey(), content);
        }
    }

    /** The new room beside the old in the first {@code m.direct} entry naming it. */
    private void copyDirect(String userId, String oldRoomId, String newRoomId) {
        ObjectNode direct = accountData.get(userId, null, "m.direct").orElse(null);
        if (direct == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> entry : direct.properties()) {
            if (entry.getValue() instanceof ArrayNode rooms && contains(rooms, oldRoomId) && !contains(rooms, newRoomId)) {
                ObjectNode updated = direct.deepCopy();
                ((ArrayNode) updated.get(entry.getKey())).add(newRoomId);
                accountData.put(userId, null, "m.direct", updated);
                return;
            }
        }
    }

    private void copyPushRules(String userId, String oldRoomId, String newRoomId) {
        for (PushRule rule : pushRules.ruleSet(userId).inEvaluationOrder()) {
            if (rule.isDefault() || !rule.enabled()) {
                continue;
            }
            if (rule.kind() == RuleKind.ROOM && rule.ruleId().equals(oldRoomId)) {
                put(userId, new PushRule(RuleKind.ROOM, newRoomId, false, true, List.of(), null, rule.actions()));
            } else if (rule.kind().hasConditions() && rule.conditions().stream().anyMatch(c -> namesRoom(c, oldRoomId))) {
                List<PushCondition> conditions = new ArrayList<>();
                for (PushCondition c : rule.conditions()) {
                    conditions.add(namesRoom(c, oldRoomId) ? new PushCondition.EventMatch("room_id", newRoomId) : c);
                }
                // Synapse names the copy after the new room, whatever the original was called.
                put(userId, new PushRule(rule.kind(), newRoomId, false, true, conditions, null, rule.actions()));
            }
        }
    }

    private void put(String userId, PushRule rule) {
        pushRules.put(userId, rule, PushRuleRepository.Placement.DEFAULT);
    }

    private static boolean namesRoom(PushCondition condition, String roomId) {
        return condition instanceof PushCondition.EventMatch m && m.key().equals("room_id") && m.pattern().equals(roomId);
    }

    private static boolean contains(ArrayNode array, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.asText(null))) {
                return true;
            }
        }
        return false;
    }
}
