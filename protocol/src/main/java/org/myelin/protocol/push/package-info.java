/**
 * Push rules as pure functions (client-server API, "Push Notifications"): the rule model
 * ({@link org.myelin.protocol.push.PushRule}, conditions, actions), the server-default rules
 * ({@link org.myelin.protocol.push.DefaultPushRules}, copied from the spec text), a user's
 * assembled rule set ({@link org.myelin.protocol.push.PushRuleSet}) and the evaluator
 * ({@link org.myelin.protocol.push.PushRuleEvaluator}) that says whether an event notifies a
 * user and how. No storage and no room lookups: what the conditions need to know about the
 * room comes in a {@link org.myelin.protocol.push.PushContext}.
 */
package org.myelin.protocol.push;
