package org.myelin.server.client.push;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.push.PushAction;
import org.myelin.protocol.push.PushRule;
import org.myelin.protocol.push.PushRuleSet;
import org.myelin.protocol.push.RuleKind;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;

/**
 * Push rules (client-server API, "Push Rules: API"): the requester's own rule set, the
 * {@code global} one, the only one the spec defines.
 */
public final class PushRulesRoutes implements Routes {

    private static final String BASE = "/_matrix/client/v3/pushrules";
    private static final String RULE = BASE + "/global/:kind/:ruleId";

    /** The body of {@code GET /pushrules/}. */
    record AllRuleSets(PushRuleSet global) {}

    /** The body of {@code GET} and {@code PUT .../enabled}. */
    record Enabled(Boolean enabled) {}

    /** The body of {@code GET .../actions}. */
    record Actions(List<PushAction> actions) {}

    private final Authenticator authenticator;
    private final PushRules rules;

    public PushRulesRoutes(Authenticator authenticator, PushRules rules) {
        this.authenticator = authenticator;
        this.rules = rules;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        // The spec writes a trailing slash; clients send it, or not.
        router.get(BASE + "/").handler(handlers.blocking(this::getAll));
        router.get(BASE).handler(handlers.blocking(this::getAll));
        router.get(BASE + "/global/").handler(handlers.blocking(this::getGlobal));
        router.get(BASE + "/global").handler(handlers.blocking(this::getGlobal));
        router.get(RULE).handler(handlers.blocking(this::getRule));
        router.put(RULE).handler(handlers.blocking(this::putRule));
        router.delete(RULE).handler(handlers.blocking(this::deleteRule));
        router.get(RULE + "/enabled").handler(handlers.blocking(this::getEnabled));
        router.put(RULE + "/enabled").handler(handlers.blocking(this::putEnabled));
        router.get(RULE + "/actions").handler(handlers.blocking(this::getActions));
        router.put(RULE + "/actions").handler(handlers.blocking(this::putActions));
    }

    /** {@code GET /_matrix/client/v3/pushrules/} (client-server API, "Push Rules: API"): every rule set. */
    JsonResponse getAll(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        return JsonResponse.ok(new AllRuleSets(rules.ruleSet(requester.userId())));
    }

    /** {@code GET /_matrix/client/v3/pushrules/global/} (client-server API, "Push Rules: API"). */
    JsonResponse getGlobal(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        return JsonResponse.ok(rules.ruleSet(requester.userId()));
    }

    /**
     * {@code GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}} (client-server API,
     * "Push Rules: API"): 404 M_NOT_FOUND for an unknown rule.
     */
    JsonResponse getRule(RoutingContext ctx) {
        return JsonResponse.ok(rule(ctx));
    }

    /**
     * {@code PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}} (client-server API,
     * "Push Rules: API"): creates (enabled) or replaces one of the user's rules, placed by
     * {@code before} or {@code after} (another of the user's rules of that kind; 400 M_UNKNOWN
     * if it is not one), else first if new and where it was if replaced. Server-default rule
     * ids are refused (400 M_INVALID_PARAM).
     */
    JsonResponse putRule(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        RuleKind kind = PushRuleRequests.kind(ctx);
        String ruleId = PushRuleRequests.newRuleId(ctx);
        PushRule rule = PushRuleRequests.rule(ctx, kind, ruleId);
        rules.put(requester.userId(), rule, PushRuleRequests.placement(ctx));
        return JsonResponse.empty();
    }

    /**
     * {@code DELETE /_matrix/client/v3/pushrules/global/{kind}/{ruleId}} (client-server API,
     * "Push Rules: API"): 404 M_NOT_FOUND for an unknown rule, and for a server-default rule,
     * which cannot be deleted (Synapse does the same; disable it instead).
     */
    JsonResponse deleteRule(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        rules.delete(requester.userId(), PushRuleRequests.kind(ctx), ctx.pathParam("ruleId"));
        return JsonResponse.empty();
    }

    /** {@code GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled} (client-server API, "Push Rules: API"). */
    JsonResponse getEnabled(RoutingContext ctx) {
        return JsonResponse.ok(new Enabled(rule(ctx).enabled()));
    }

    /**
     * {@code PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/enabled} (client-server
     * API, "Push Rules: API"): server-default rules included; 404 M_NOT_FOUND for an unknown rule.
     */
    JsonResponse putEnabled(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        RuleKind kind = PushRuleRequests.kind(ctx);
        Enabled body = Json.bind(ctx, Enabled.class);
        if (body.enabled() == null) {
            throw MatrixException.missingParam("Missing 'enabled'");
        }
        rules.setEnabled(requester.userId(), kind, ctx.pathParam("ruleId"), body.enabled());
        return JsonResponse.empty();
    }

    /** {@code GET /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions} (client-server API, "Push Rules: API"). */
    JsonResponse getActions(RoutingContext ctx) {
        return JsonResponse.ok(new Actions(rule(ctx).actions()));
    }

    /**
     * {@code PUT /_matrix/client/v3/pushrules/global/{kind}/{ruleId}/actions} (client-server
     * API, "Push Rules: API"): server-default rules included; 404 M_NOT_FOUND for an unknown
     * rule, 400 M_INVALID_PARAM for unknown actions.
     */
    JsonResponse putActions(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        RuleKind kind = PushRuleRequests.kind(ctx);
        List<PushAction> actions = PushRuleRequests.actions(Json.parseBody(ctx));
        rules.setActions(requester.userId(), kind, ctx.pathParam("ruleId"), actions);
        return JsonResponse.empty();
    }

    /** The rule the path names, of the requester; 404 M_NOT_FOUND if there is none. */
    private PushRule rule(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        RuleKind kind = PushRuleRequests.kind(ctx);
        return rules.find(requester.userId(), kind, ctx.pathParam("ruleId")).orElseThrow(PushRules::notFound);
    }
}
