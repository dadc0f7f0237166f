package org.myelin.server.appservice;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.myelin.server.client.auth.AppServiceTokens;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;

/**
 * Identity assertion (application service API, "Identity assertion"), as Synapse's
 * {@code get_appservice_user}: a request with a service's {@code as_token} is made by the
 * service's sender, or with {@code ?user_id=} by that user if the service's namespaces hold it
 * and the user is registered; otherwise 403 {@code M_FORBIDDEN}. A service with an
 * {@code ip_range_whitelist} is recognised only from those addresses: from elsewhere its token is
 * no service's, and so unknown (401), as in Synapse.
 */
public final class AppServiceAuth implements AppServiceTokens {

    private final AppServiceRegistry registry;
    private final Predicate<String> userExists;

    public AppServiceAuth(AppServiceRegistry registry, Predicate<String> userExists) {
        this.registry = registry;
        this.userExists = userExists;
    }

    @Override
    public Optional<Requester> requester(String token, String userIdParam, Supplier<String> clientAddress) {
        Optional<AppService> found = registry.byToken(token);
        if (found.isEmpty() || !found.get().acceptsRequestsFrom(clientAddress)) {
            return Optional.empty();
        }
        AppService service = found.get();
        String sender = service.sender().toString();
        if (userIdParam == null || userIdParam.equals(sender)) {
            return Optional.of(new Requester(sender, "", false, 0, service.id()));
        }
        if (!service.isInterestedInUser(userIdParam)) {
            throw MatrixException.forbidden("Application service cannot masquerade as this user (" + userIdParam + ").");
        }
        if (!userExists.test(userIdParam)) {
            throw MatrixException.forbidden("Application service has not registered this user (" + userIdParam + ")");
        }
        return Optional.of(new Requester(userIdParam, "", false, 0, service.id()));
    }
}
