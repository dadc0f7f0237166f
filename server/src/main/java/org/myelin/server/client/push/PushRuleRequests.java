package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.glob.GlobPattern;
import org.myelin.protocol.push.PushAction;
import org.myelin.protocol.push.PushCondition;
import org.myelin.protocol.push.PushRule;
import org.myelin.protocol.push.RuleKind;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.push.PushRuleRepository.Placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Reading push rule requests: the kind and rule id in the path, the rule in the body of
 * {@code PUT .../{kind}/{ruleId}}, {@code before} and {@code after} in the query.
 */
final class PushRuleRequests {

    private PushRuleRequests() {
    }

    /** The {@code kind} path parameter: 400 M_INVALID_PARAM if it is not one of the five kinds. */
    static RuleKind kind(RoutingContext ctx) {
        String kind = ctx.pathParam("kind");
        return RuleKind.fromWire(kind)
                .orElseThrow(() -> MatrixException.invalidParam("Unknown push rule kind: " + kind));
    }

    /**
     * The rule id of a rule the user creates or replaces: not starting with a dot (reserved for
     * server-default rules) and without slashes or backslashes (400 M_INVALID_PARAM).
     */
    static String newRuleId(RoutingContext ctx) {
        String ruleId = ctx.pathParam("ruleId");
        if (PushRule.isServerDefaultId(ruleId)) {
            throw MatrixException.invalidParam("Rule ids starting with '.' are reserved for server-default rules");
        }
        if (ruleId.contains("/") || ruleId.contains("\\")) {
            throw MatrixException.invalidParam("Rule ids may not contain slashes or backslashes");
        }
        return ruleId;
    }

    /** {@code before} and {@code after} from the query string. */
    static Placement placement(RoutingContext ctx) {
        return new Placement(query(ctx, "before"), query(ctx, "after"));
    }

    /**
     * The rule in a {@code PUT} body: {@code actions} (required), {@code conditions} for
     * override and underride rules (none: always matches), {@code pattern} for content rules
     * (required), globs of at most {@link GlobPattern#MAX_LENGTH} characters. 400 M_MISSING_PARAM or
     * M_INVALID_PARAM otherwise.
     */
    static PushRule rule(RoutingContext ctx, RuleKind kind, String ruleId) {
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        List<PushAction> actions = actions(body);
        List<PushCondition> conditions = new ArrayList<>();
        String pattern = null;
        if (kind.hasConditions() && body.has("conditions")) {
            JsonNode list = body.get("conditions");
            if (!list.isArray()) {
                throw MatrixException.invalidParam("'conditions' must be an array");
            }
            for (JsonNode c : list) {
                try {
                    PushCondition condition = PushCondition.parse(c);
                    if (condition instanceof PushCondition.EventMatch match) {
                        checkGlobLength(match.pattern());
                    }
                    conditions.add(condition);
                } catch (IllegalArgumentException e) {
                    throw MatrixException.invalidParam("Invalid condition: " + e.getMessage());
                }
            }
        }
        if (kind == RuleKind.CONTENT) {
            JsonNode p = body.get("pattern");
            if (p == null) {
                throw MatrixException.missingParam("A content rule needs a 'pattern'");
            }
            if (!p.isTextual()) {
                throw MatrixException.invalidParam("'pattern' must be a string");
            }
            pattern = p.textValue();
            checkGlobLength(pattern);
        }
        return new PushRule(kind, ruleId, false, true, conditions, pattern, actions);
    }

    /** A glob longer than the matcher takes would never match: refused rather than kept. */
    private static void checkGlobLength(String glob) {
        if (glob.codePointCount(0, glob.length()) > GlobPattern.MAX_LENGTH) {
            throw MatrixException.invalidParam("A 'pattern' may have at most " + GlobPattern.MAX_LENGTH + " characters");
        }
    }

    /** The {@code actions} of a body: required, and only known actions. */
    static List<PushAction> actions(JsonNode body) {
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        if (!body.has("actions")) {
            throw MatrixException.missingParam("Missing 'actions'");
        }
        try {
            return PushAction.parseAll(body.get("actions"));
        } catch (IllegalArgumentException e) {
            throw MatrixException.invalidParam("Invalid actions: " + e.getMessage());
        }
    }

    private static String query(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        return values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }
}
