package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Where the {@link KeyRing} gets keys it does not have (server-server API, "Retrieving server
 * keys"). Implemented over HTTPS by the federation client; faked in tests.
 */
public interface KeyFetcher {

    /** {@code GET /_matrix/key/v2/server} on {@code server} itself: its key document, unchecked. */
    ObjectNode serverKeys(String server) throws Exception;

    /**
     * {@code POST /_matrix/key/v2/query} on {@code notary} for {@code server}'s keys valid until at
     * least {@code minimumValidUntilTs}: the key documents the notary answers with, unchecked.
     */
    List<ObjectNode> notaryQuery(String notary, String server, long minimumValidUntilTs) throws Exception;
}
