package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * The profiles of users of other servers, asked over federation ({@code GET
 * /_matrix/federation/v1/query/profile}); federation plugs it in with
 * {@link ProfileService#useRemote}.
 */
@FunctionalInterface
public interface RemoteProfiles {

    /** No federation: remote profiles are not found. */
    RemoteProfiles NONE = (userId, field) -> Optional.empty();

    /**
     * The remote user's profile fields, or only {@code field} when it is not null; empty when
     * the user or field is not found or the server cannot be reached.
     */
    Optional<ObjectNode> query(String userId, String field);
}
