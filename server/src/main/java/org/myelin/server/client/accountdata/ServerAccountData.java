package org.myelin.server.client.accountdata;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * Global account data the server provides for every user whether or not it was ever stored, such
 * as {@code m.push_rules} (the server-default rules until the user changes them). Clients read it
 * like any account data, and an initial /sync carries it.
 */
@FunctionalInterface
public interface ServerAccountData {

    /** The user's server-provided account data, by type. */
    Map<String, ObjectNode> of(String userId);

    ServerAccountData NONE = userId -> Map.of();
}
