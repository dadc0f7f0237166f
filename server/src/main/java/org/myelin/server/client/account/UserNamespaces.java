package org.myelin.server.client.account;

/**
 * The user ids application services reserve (application service API, "Registration"): who
 * may register them.
 */
public interface UserNamespaces {

    UserNamespaces NONE = (userId, appServiceId) -> { };

    /**
     * 400 {@code M_EXCLUSIVE} unless {@code userId} may be registered by the application service
     * {@code appServiceId} (its namespace must hold it, and no other service's exclusively) or,
     * when it is null, by anyone else (no service's exclusive namespace may hold it).
     */
    void checkMayRegister(String userId, String appServiceId);
}
