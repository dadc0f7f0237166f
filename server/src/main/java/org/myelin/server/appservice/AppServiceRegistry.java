package org.myelin.server.appservice;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The application services this homeserver runs with, as loaded at start: found by id, by
 * {@code as_token}, and by the namespaces that hold a user id or an alias.
 */
public final class AppServiceRegistry {

    private final List<AppService> services;
    private final Map<String, AppService> byToken = new HashMap<>();
    private final Map<String, AppService> byId = new HashMap<>();

    public AppServiceRegistry(List<AppService> services) {
        this.services = List.copyOf(services);
        for (AppService s : services) {
            byToken.put(s.asToken(), s);
            byId.put(s.id(), s);
        }
    }

    public List<AppService> all() {
        return services;
    }

    public boolean isEmpty() {
        return services.isEmpty();
    }

    public Optional<AppService> byToken(String asToken) {
        return Optional.ofNullable(byToken.get(asToken));
    }

    public Optional<AppService> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The services whose exclusive user namespaces hold {@code userId}. */
    public List<AppService> exclusiveOwnersOfUser(String userId) {
        return services.stream().filter(s -> s.claimsUserExclusively(userId)).toList();
    }

    /** The services interested in {@code userId} (its sender, or a namespace of theirs holds it). */
    public List<AppService> interestedInUser(String userId) {
        return services.stream().filter(s -> s.isInterestedInUser(userId)).toList();
    }

    /**
     * Whether {@code userId} may create or delete {@code alias}, as Synapse's
     * {@code can_modify_alias}: the sender of a service whose namespace holds it may; anyone else
     * only if no such service holds it exclusively.
     */
    public boolean mayModifyAlias(String alias, String userId) {
        boolean exclusive = false;
        for (AppService s : services) {
            if (!s.isInterestedInAlias(alias)) {
                continue;
            }
            if (s.sender().toString().equals(userId)) {
                return true;
            }
            exclusive |= s.claimsAliasExclusively(alias);
        }
        return !exclusive;
    }
}
