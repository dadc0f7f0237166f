package org.myelin.server.client.auth;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who an application service's {@code as_token} stands for (application service API,
 * "Identity assertion"): consulted before the access tokens of users.
 */
@FunctionalInterface
public interface AppServiceTokens {

    AppServiceTokens NONE = (token, userIdParam, clientAddress) -> Optional.empty();

    /**
     * Empty if {@code token} is no application service's; else the requester: the service's
     * sender, or {@code userIdParam} (the {@code user_id} query parameter) if the service may act
     * as that user, else 403. {@code clientAddress} (asked only of a service that limits where
     * its requests come from) is the request's client address.
     */
    Optional<Requester> requester(String token, String userIdParam, Supplier<String> clientAddress);
}
