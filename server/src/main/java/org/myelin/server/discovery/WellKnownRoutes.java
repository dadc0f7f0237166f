package org.myelin.server.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.OptionalInt;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.config.ServerNames;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Server and client discovery: where clients find the client-server API and where other
 * servers find the federation API of this server name. Values come from
 * {@code well_known.*}, or are derived from the server name's host and the listeners. Beside
 * them, whom to contact about this server ({@code well_known.support}).
 */
public final class WellKnownRoutes implements Routes {

    private final HomeserverConfig config;
    private final ListenerPorts ports;
    private final ServerNames.HostAndPort serverName;

    public WellKnownRoutes(HomeserverConfig config, ListenerPorts ports) {
        this.config = config;
        this.ports = ports;
        this.serverName = ServerNames.parse(config.serverName());
    }

    record BaseUrl(String baseUrl) {}

    record ClientWellKnown(@JsonProperty("m.homeserver") BaseUrl homeserver) {}

    record ServerWellKnown(@JsonProperty("m.server") String server) {}

    /** One contact of the support document; absent fields are left out. */
    record Contact(String matrixId, String emailAddress, String role) {}

    /** The support document; no {@code contacts} when none are configured, as the spec asks for a non-empty list. */
    record SupportWellKnown(List<Contact> contacts, String supportPage) {}

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/.well-known/matrix/client").handler(handlers.blocking(ctx -> client()));
        router.get("/.well-known/matrix/server").handler(handlers.blocking(ctx -> server()));
        router.get("/.well-known/matrix/support").handler(handlers.blocking(ctx -> support()));
    }

    /** {@code GET /.well-known/matrix/client} (client-server API, "Well-known URIs"). */
    JsonResponse client() {
        return JsonResponse.ok(new ClientWellKnown(new BaseUrl(clientBaseUrl())));
    }

    /** {@code GET /.well-known/matrix/server} (server-server API, "Server discovery"). */
    JsonResponse server() {
        if (config.wellKnown().server() != null) {
            return JsonResponse.ok(new ServerWellKnown(config.wellKnown().server()));
        }
        OptionalInt port = ports.portServing(Resource.FEDERATION);
        if (port.isEmpty()) {
            throw MatrixException.notFound("This server does not federate");
        }
        return JsonResponse.ok(new ServerWellKnown(serverName.host() + ":" + port.getAsInt()));
    }

    /**
     * {@code GET /.well-known/matrix/support} (client-server API, "Getting support information"):
     * the administrators' contacts and the support page of {@code well_known.support}; 404
     * M_NOT_FOUND when neither is configured.
     */
    JsonResponse support() {
        HomeserverConfig.Support support = config.wellKnown().support();
        if (!support.configured()) {
            throw MatrixException.notFound("No support information for this server");
        }
        List<Contact> contacts = support.contacts().stream()
                .map(c -> new Contact(c.matrixId(), c.emailAddress(), c.role())).toList();
        return JsonResponse.ok(new SupportWellKnown(contacts.isEmpty() ? null : contacts, support.supportPage()));
    }

    private String clientBaseUrl() {
        if (config.wellKnown().clientBaseUrl() != null) {
            return config.wellKnown().clientBaseUrl();
        }
        boolean tls = config.listenerServing(Resource.CLIENT).map(l -> l.tls() != null).orElse(false);
        OptionalInt port = ports.portServing(Resource.CLIENT);
        String scheme = tls ? "https" : "http";
        boolean defaultPort = port.isEmpty() || port.getAsInt() == (tls ? 443 : 80);
        return scheme + "://" + serverName.host() + (defaultPort ? "" : ":" + port.getAsInt());
    }
}
