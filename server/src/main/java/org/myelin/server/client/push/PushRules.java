package org.myelin.server.client.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.push.DefaultPushRules;
import org.myelin.protocol.push.PushAction;
import org.myelin.protocol.push.PushCondition;
import org.myelin.protocol.push.PushRule;
import org.myelin.protocol.push.PushRuleSet;
import org.myelin.protocol.push.RuleKind;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.push.PushRuleRepository.DefaultChange;
import org.myelin.storage.push.PushRuleRepository.Placement;
import org.myelin.storage.push.PushRuleRepository.StoredRule;
import org.myelin.storage.push.PushRuleRepository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each user's push rules (client-server API, "Push Rules: API"): the server-default rules with
 * the user's changes to them (enabled, actions) and the user's own rules, assembled into a
 * {@link PushRuleSet}. Every change moves the user on the push rules stream and is told to the
 * {@link Listener}, so that /sync sends the new rules as the {@code m.push_rules} account data
 * event ({@link #accountDataContent}).
 *
 * <p>Rule sets are cached per user (they are read for every event of every room the user is
 * in); this process's writes invalidate the cache.
 */
public final class PushRules {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CACHE_SIZE = 10_000;

    /**
     * Told after each change of a user's rules: to wake the user's /sync, or (with /sync's
     * account data) to store the new {@code m.push_rules}:
     * {@code accountData.put(userId, null, "m.push_rules", rules.accountDataContent(userId))}.
     */
    @FunctionalInterface
    public interface Listener {
        void changed(String userId);
    }

    private final PushRuleRepository repository;
    private final Listener listener;
    private final Cache<String, PushRuleSet> cache = Caffeine.newBuilder().maximumSize(CACHE_SIZE).recordStats().build();

    public PushRules(PushRuleRepository repository, Listener listener) {
        this.repository = repository;
        this.listener = listener;
    }

    /** The user's rules, most important first in each kind. */
    public PushRuleSet ruleSet(String userId) {
        PushRuleSet cached = cache.getIfPresent(userId);
        if (cached != null) {
            return cached;
        }
        PushRuleSet loaded = load(userId);
        cache.put(userId, loaded);
        return loaded;
    }

    /** The content of the user's {@code m.push_rules} account data event: {@code {"global": ruleset}}. */
    public ObjectNode accountDataContent(String userId) {
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.set("global", ruleSet(userId).toJson());
        return content;
    }

    /** The position of the latest change on the push rules stream (for /sync tokens). */
    public long position() {
        return repository.position();
    }

    /** Whether the user's rules changed after stream position {@code since}. */
    public boolean changedSince(String userId, long since) {
        return repository.changedAt(userId).orElse(0) > since;
    }

    public Optional<PushRule> find(String userId, RuleKind kind, String ruleId) {
        return ruleSet(userId).find(kind, ruleId);
    }

    /**
     * Adds or replaces one of the user's rules ({@code PUT .../{kind}/{ruleId}}).
     *
     * @throws MatrixException 400 M_UNKNOWN when {@code placement} names no rule of the user's
     */
    public void put(String userId, PushRule rule, Placement placement) {
        StoredRule stored = new StoredRule(rule.kind().wire(), rule.ruleId(), true,
                rule.kind().hasConditions() ? conditionsJson(rule.conditions()) : null, rule.pattern(),
                PushRule.actionsJson(rule.actions()).toString());
        if (repository.put(userId, stored, placement) == PushRuleRepository.PutResult.ANCHOR_NOT_FOUND) {
            String anchor = placement.before() != null ? placement.before() : placement.after();
            throw MatrixException.unknownBadRequest("before/after rule not found: " + anchor);
        }
        changed(userId);
    }

    /** Deletes one of the user's rules; 404 M_NOT_FOUND for server-default and unknown rules. */
    public void delete(String userId, RuleKind kind, String ruleId) {
        if (PushRule.isServerDefaultId(ruleId) || !repository.delete(userId, kind.wire(), ruleId)) {
            throw notFound();
        }
        changed(userId);
    }

    /** Enables or disables a rule, the user's own or a server-default one; 404 M_NOT_FOUND if none. */
    public void setEnabled(String userId, RuleKind kind, String ruleId, boolean enabled) {
        if (PushRule.isServerDefaultId(ruleId)) {
            requireDefault(userId, kind, ruleId);
            repository.changeDefault(userId, kind.wire(), ruleId, enabled, null);
        } else if (!repository.setEnabled(userId, kind.wire(), ruleId, enabled)) {
            throw notFound();
        }
        changed(userId);
    }

    /** Replaces the actions of a rule, the user's own or a server-default one; 404 M_NOT_FOUND if none. */
    public void setActions(String userId, RuleKind kind, String ruleId, List<PushAction> actions) {
        String json = PushRule.actionsJson(actions).toString();
        if (PushRule.isServerDefaultId(ruleId)) {
            requireDefault(userId, kind, ruleId);
            repository.changeDefault(userId, kind.wire(), ruleId, null, json);
        } else if (!repository.setActions(userId, kind.wire(), ruleId, json)) {
            throw notFound();
        }
        changed(userId);
    }

    static MatrixException notFound() {
        return MatrixException.notFound("The push rule was not found.");
    }

    private static void requireDefault(String userId, RuleKind kind, String ruleId) {
        if (DefaultPushRules.find(userId, kind, ruleId).isEmpty()) {
            throw notFound();
        }
    }

    private void changed(String userId) {
        cache.invalidate(userId);
        listener.changed(userId);
    }

    private PushRuleSet load(String userId) {
        Map<String, DefaultChange> changes = new LinkedHashMap<>();
        for (DefaultChange c : repository.defaultChanges(userId)) {
            changes.put(c.kind() + "/" + c.ruleId(), c);
        }
        List<PushRule> defaults = new ArrayList<>();
        for (PushRule rule : DefaultPushRules.forUser(userId)) {
            DefaultChange change = changes.get(rule.kind().wire() + "/" + rule.ruleId());
            if (change != null) {
                rule = change.enabled() == null ? rule : rule.withEnabled(change.enabled());
                rule = change.actionsJson() == null ? rule : rule.withActions(PushAction.parseAll(parse(change.actionsJson())));
            }
            defaults.add(rule);
        }
        List<PushRule> custom = new ArrayList<>();
        for (StoredRule s : repository.rules(userId)) {
            Optional<RuleKind> kind = RuleKind.fromWire(s.kind());
            if (kind.isEmpty()) {
                continue;
            }
            List<PushCondition> conditions = new ArrayList<>();
            if (s.conditionsJson() != null) {
                parse(s.conditionsJson()).forEach(c -> conditions.add(PushCondition.parse(c)));
            }
            custom.add(new PushRule(kind.get(), s.ruleId(), false, s.enabled(), conditions, s.pattern(),
                    PushAction.parseAll(parse(s.actionsJson()))));
        }
        return PushRuleSet.of(defaults, custom);
    }

    private static String conditionsJson(List<PushCondition> conditions) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        conditions.forEach(c -> array.add(c.toJson()));
        return array.toString();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored push rule JSON is invalid: " + json, e);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("push_rules", cache);
    }
}
