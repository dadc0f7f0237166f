package org.myelin.server.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
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
 * {@code well_known.*}, or are derived from the server name's host and the listeners.
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

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/.well-known/matrix/client").handler(handlers.blocking(ctx -> client()));
        router.get("/.well-known/matrix/server").handler(handlers.blocking(ctx -> server()));
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
